// What a shared rspcat library exports. The libraries are built with hidden visibility, so only
// declarations marked RSPCAT_API are seen from outside; everything else (helpers, template
// instantiations over types that are not marked) stays inside its library. The same marks serve
// static builds and code that uses the libraries: default visibility is what any symbol has
// without -fvisibility=hidden.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define RSPCAT_API __attribute__((visibility("default")))
#define RSPCAT_INTERNAL __attribute__((visibility("hidden")))
#else
#define RSPCAT_API
#define RSPCAT_INTERNAL
#endif
