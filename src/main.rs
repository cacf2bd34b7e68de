//! The `kartskola` binary: parse the command line, hand over to the library.

use std::process::ExitCode;

/// mimalloc rather than glibc's allocator: a page request is many small allocations made and
/// freed across worker threads, where glibc's malloc and free were about 15 % of the server's
/// time under load and its per-thread arenas kept the resident set high (docs/performance.md).
/// Built without transparent huge pages (`no_thp`): with them the idle resident set was 53 MiB
/// instead of 39.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    kartskola::cli::main()
}
