//! Work the renderer shares with helper threads: parsing template texts, and reading
//! rendered files into documents while later templates still execute. Each piece of
//! work is a pure function of its input and results are put back in input order, so the
//! output is the same whatever the number of threads.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// Native stack of a helper thread: template parsing recurses on control structures
/// and dropping a YAML node tree on its depth, as on the rendering thread (the stack is
/// reserved address space; only what is used is backed by memory; see
/// [`crate::helm::RENDER_STACK`] for its odd size).
pub(crate) const HELPER_STACK: usize = super::RENDER_STACK;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A helper never panics while holding the lock; if one did, the data is still whole.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Spawns `n` helper threads in `scope`, each running `f`; returns how many started
/// (a thread that cannot start leaves its work to the others and the caller).
pub(crate) fn spawn_helpers<'scope, 'env, F>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    n: usize,
    f: &'scope F,
) -> usize
where
    F: Fn() + Sync + 'env,
{
    let mut started = 0;
    for _ in 0..n {
        let spawned = std::thread::Builder::new()
            .name("gitward-render-helper".into())
            .stack_size(HELPER_STACK)
            .spawn_scoped(scope, f);
        if spawned.is_ok() {
            started += 1;
        }
    }
    started
}

/// Drops `v` on a thread of its own: freeing a large parse tree takes a while and
/// nothing waits for it (inline if no thread starts).
pub(crate) fn drop_later<T: Send + 'static>(v: T) {
    let spawned = std::thread::Builder::new()
        .name("gitward-drop".into())
        .stack_size(HELPER_STACK)
        .spawn(move || drop(v));
    // On failure the closure, and `v` with it, is dropped here.
    drop(spawned);
}

/// `f` of every item, computed on the calling thread and `threads - 1` helpers, in
/// item order.
pub(crate) fn map<T, R, F>(items: &[T], threads: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    if threads <= 1 || items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    let work = || {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            mine.push((i, f(item)));
        }
        lock(&done).append(&mut mine);
    };
    std::thread::scope(|s| {
        spawn_helpers(s, (threads - 1).min(items.len() - 1), &work);
        work();
    });
    let mut done = done
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// A queue one thread fills while others take from it.
pub(crate) struct Queue<T> {
    state: Mutex<(VecDeque<T>, bool)>,
    ready: Condvar,
}

impl<T> Queue<T> {
    pub(crate) fn new() -> Self {
        Queue {
            state: Mutex::new((VecDeque::new(), false)),
            ready: Condvar::new(),
        }
    }

    pub(crate) fn push(&self, item: T) {
        lock(&self.state).0.push_back(item);
        self.ready.notify_one();
    }

    /// No more items will come; with `discard`, the ones waiting are dropped.
    pub(crate) fn close(&self, discard: bool) {
        {
            let mut st = lock(&self.state);
            st.1 = true;
            if discard {
                st.0.clear();
            }
        }
        self.ready.notify_all();
    }

    /// The next item; waits while the queue is open and empty, `None` once it is closed
    /// and empty.
    pub(crate) fn pop(&self) -> Option<T> {
        let mut st = lock(&self.state);
        loop {
            if let Some(item) = st.0.pop_front() {
                return Some(item);
            }
            if st.1 {
                return None;
            }
            st = self
                .ready
                .wait(st)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keeps_item_order_whatever_the_threads() {
        let items: Vec<u64> = (0..200).collect();
        for threads in [1, 2, 3, 8] {
            let out = map(&items, threads, |x| x * x);
            assert_eq!(out, items.iter().map(|x| x * x).collect::<Vec<_>>());
        }
    }

    #[test]
    fn queue_drains_across_threads() {
        let q = Queue::new();
        let total = Mutex::new(0u64);
        let work = || {
            while let Some(x) = q.pop() {
                *lock(&total) += x;
            }
        };
        std::thread::scope(|s| {
            assert_eq!(spawn_helpers(s, 2, &work), 2);
            for i in 1..=100u64 {
                q.push(i);
            }
            q.close(false);
            work();
        });
        assert_eq!(*lock(&total), 5050);
    }
}
