/* placeholder.c — keeps the adapters library non-empty until the first adapter lands. */
#include "adapters/adapter.h"

int tend_adapters_placeholder(void);
int tend_adapters_placeholder(void)
{
    return 0;
}
