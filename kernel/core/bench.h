#ifndef CORE_BENCH_H
#define CORE_BENCH_H

/* In-kernel benchmarks ("bench" on the command line): one "bench: <name>
 * <cycles> cycles/op" line each, collected by tools/bench.py. */
void run_benchmarks(void);

#endif
