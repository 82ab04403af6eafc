# Writes a man page from a program's --help text (QCommandLineParser's layout), so the page
# and --help never disagree. Script mode:
#   cmake -DEXE=<program> -DNAME=<name> -DSUMMARY=<one line> -DVERSION=<v> -DSEE_ALSO=<text>
#         -DOUTPUT=<file.1> -P ManPage.cmake
set(ENV{QT_QPA_PLATFORM} offscreen)
execute_process(COMMAND ${EXE} --help OUTPUT_VARIABLE help ERROR_VARIABLE errors RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR help STREQUAL "")
  message(FATAL_ERROR "${NAME} --help failed (${rc}): ${errors}")
endif()

# roff escapes: backslashes, hyphens (so options copy as ASCII) and control characters at the
# start of a line
string(REPLACE "\\" "\\e" help "${help}")
string(REPLACE "-" "\\-" help "${help}")
string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")

# QCommandLineParser: "Usage: <name> <synopsis>\n<description>\n\nOptions:\n...\n\nArguments:\n..."
string(REGEX MATCH "^Usage: [^ \n]+ ([^\n]*)\n" usage "${help}")
set(synopsis "${CMAKE_MATCH_1}")
string(REGEX REPLACE "^Usage: [^\n]*\n" "" rest "${help}")
string(FIND "${rest}" "\nOptions:\n" options_at)
if(options_at LESS 0)
  message(FATAL_ERROR "${NAME} --help has no Options: section")
endif()
string(SUBSTRING "${rest}" 0 ${options_at} description)
math(EXPR options_at "${options_at} + 10")
string(SUBSTRING "${rest}" ${options_at} -1 options)
string(STRIP "${description}" description)
string(REGEX REPLACE "\n\n+" "\n.PP\n" description "${description}")
# indented lines (examples) keep their layout
string(REGEX REPLACE "\n(  [^\n]*(\n  [^\n]*)*)" "\n.nf\n\\1\n.fi" description "${description}")
string(REPLACE "-" "\\-" SUMMARY "${SUMMARY}")
string(REPLACE "-" "\\-" SEE_ALSO "${SEE_ALSO}")
string(TOUPPER "${NAME}" title)
string(REPLACE "-" "\\-" name_escaped "${NAME}")

file(WRITE ${OUTPUT} ".\\\" -*- coding: UTF-8 -*-
.TH ${title} 1 \"\" \"Doeff ${VERSION}\" \"User Commands\"
.SH NAME
${name_escaped} \\- ${SUMMARY}
.SH SYNOPSIS
.B ${name_escaped}
${synopsis}
.SH DESCRIPTION
${description}
.SH OPTIONS
.nf
${options}.fi
.SH SEE ALSO
${SEE_ALSO}
")
