/* main.c — placeholder until the app wiring lands. */
#include <stdio.h>

int main(void)
{
    puts("tend " TEND_VERSION);
    return 0;
}
