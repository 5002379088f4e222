#ifndef LATITUDE_CLIBPQ_SHIM_H
#define LATITUDE_CLIBPQ_SHIM_H
// PostgreSQL's client library (Debian's libpq-dev), for the op log on PostgreSQL.
#include <libpq-fe.h>
#endif
