#pragma once

/// Everything a program needs: `#include <doeff/doeff.h>`.
#include <doeff/agent.h>
#include <doeff/convert.h>
#include <doeff/effect.h>
#include <doeff/effects.h>
#include <doeff/errors.h>
#include <doeff/handler.h>
#include <doeff/handles.h>
#include <doeff/observer.h>
#include <doeff/program.h>
#include <doeff/result.h>
#include <doeff/run.h>
#include <doeff/runtimeresult.h>
#include <doeff/session.h>
#include <doeff/store.h>
#include <doeff/value.h>
