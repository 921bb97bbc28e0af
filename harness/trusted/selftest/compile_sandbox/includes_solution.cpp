// Must NOT compile in the compile sandbox: it pulls in reference code with #include.
#include "../../../../solutions/01_batch_statistics/batch_statistics.cpp"
