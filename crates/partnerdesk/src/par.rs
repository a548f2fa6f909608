//! Two pieces of work at once, on two threads: how a load builds its indexes on both cores.
//!
//! Why here and not a thread pool: the core runs inside hosts (Python, Node, JVM, iOS) that
//! have their own threads, and only loading a snapshot or a checkpoint has work large enough to
//! share; a scoped thread for the length of one load is all it needs, and leaves nothing
//! running after it. A thread that cannot be started costs no correctness: the work is then
//! done on the calling thread.

use std::sync::Mutex;

/// A piece of work for [`each`].
pub(crate) type Job<'a> = Box<dyn FnOnce() + Send + 'a>;

/// Runs `jobs` on two threads (this one and a second), each taking the next job not yet
/// taken, and returns when all are done: pieces of different lengths keep both cores busy
/// to the end when the longest come first. When no thread can be started, this one runs
/// them all. A panic in a job is resumed here.
pub(crate) fn each(jobs: Vec<Job<'_>>) {
    let queue = Mutex::new(jobs.into_iter());
    let work = || {
        loop {
            let next = queue.lock().ok().and_then(|mut q| q.next());
            let Some(job) = next else { return };
            job();
        }
    };
    both(work, work);
}

/// Runs `a` on a second thread while this one runs `b`, and returns when both are done. When
/// no thread can be started, `a` runs here after `b`. A panic in `a` is resumed here.
pub(crate) fn both(a: impl FnOnce() + Send, b: impl FnOnce()) {
    let a = Mutex::new(Some(a));
    let run_a = || {
        // Taken once: by the second thread, or here when it could not start.
        let taken = a.lock().ok().and_then(|mut slot| slot.take());
        if let Some(a) = taken {
            a();
        }
    };
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("partnerdesk-load".into())
            .spawn_scoped(scope, run_a);
        b();
        if let Ok(handle) = spawned
            && let Err(panicked) = handle.join()
        {
            std::panic::resume_unwind(panicked);
        }
        run_a();
    });
}

#[cfg(test)]
mod tests {
    use super::both;

    #[test]
    fn both_run_once_each() {
        let (mut x, mut y) = (0, 0);
        both(|| x += 1, || y += 2);
        assert_eq!((x, y), (1, 2));
    }

    #[test]
    fn each_runs_every_job_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let runs: Vec<AtomicUsize> = (0..9).map(|_| AtomicUsize::new(0)).collect();
        let jobs = runs
            .iter()
            .map(|r| {
                Box::new(move || {
                    r.fetch_add(1, Ordering::Relaxed);
                }) as super::Job<'_>
            })
            .collect();
        super::each(jobs);
        assert!(runs.iter().all(|r| r.load(Ordering::Relaxed) == 1));
    }

    #[test]
    #[allow(clippy::panic)] // the panic is what is tested
    fn a_panic_on_the_second_thread_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| both(|| panic!("in a"), || {}));
        assert!(caught.is_err());
    }
}
