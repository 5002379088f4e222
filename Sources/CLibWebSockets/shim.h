#ifndef LATITUDE_CLIBWEBSOCKETS_SHIM_H
#define LATITUDE_CLIBWEBSOCKETS_SHIM_H
#include <libwebsockets.h>

/// `LWS_PRE` is a macro Swift cannot import; this is its value.
static const int latitude_lws_pre = LWS_PRE;

#endif
