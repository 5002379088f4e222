#ifndef LATITUDE_CLAPACKE_SHIM_H
#define LATITUDE_CLAPACKE_SHIM_H
#include <lapacke.h>
#endif
