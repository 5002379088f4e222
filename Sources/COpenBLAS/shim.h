#ifndef LATITUDE_COPENBLAS_SHIM_H
#define LATITUDE_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
