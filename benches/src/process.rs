//! What the size-by-size examples (`examples/memory.rs`, `examples/scale.rs`) share: the
//! process's resident memory, the load average, and one fresh child process a size, so that
//! one size's freed memory does not hide the next one's growth.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

/// Resident bytes of this process (`/proc/self/statm`, 4 KiB pages; 0 where it cannot be read).
pub fn rss() -> i64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<i64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// The machine's load average over 1, 5 and 15 minutes, as `/proc/loadavg` gives it.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

/// Runs `one` for each size: in this process when it was started as `--one N` (a child),
/// else once a size in a fresh child of this executable, the sizes read from the environment
/// variable `var` (comma-separated) or `default`, with the load average printed around them.
///
/// # Panics
/// If a child fails or cannot be started.
pub fn each_size_in_a_child(var: &str, default: &[usize], one: fn(usize)) {
    let args: Vec<String> = std::env::args().collect();
    if let Some(n) = args.get(2).filter(|_| args[1] == "--one") {
        one(n.parse().unwrap());
        return;
    }
    let sizes: Vec<usize> = std::env::var(var)
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec());
    let exe = std::env::current_exe().unwrap();
    for n in sizes {
        println!("load average before n={n}: {}", loadavg());
        let status = std::process::Command::new(&exe)
            .args(["--one", &n.to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "the child for n={n} failed");
    }
    println!("load average after: {}", loadavg());
}
