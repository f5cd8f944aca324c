/* Block-device figures for `make bench` (block_bench.c). */
#ifndef DEV_BLOCK_BENCH_H
#define DEV_BLOCK_BENCH_H

/* Reads the first disk, if there is one, and prints "bench:" lines. */
void block_bench(void);

#endif
