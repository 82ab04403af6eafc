// A program library from a future engine: its entry point reports another ABI version.

#include <doeff/library.h>

extern "C" __attribute__((visibility("default"))) const doeff::ProgramLibraryEntry* doeff_program_library_v1()
{
    static doeff::ProgramLibrary library;
    static const doeff::ProgramLibraryEntry entry { DOEFF_PROGRAM_LIBRARY_ABI + 1, &library };
    return &entry;
}
