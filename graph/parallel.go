package graph

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallel runs work(i) for i in [0, n) on every core. newWorker is called
// once per goroutine and returns that goroutine's work function, so each
// can own its scratch state (an Evaluator is not safe to share).
func parallel(n int, newWorker func() func(i int)) {
	parallelProgress(n, newWorker, nil)
}

// parallelProgress is parallel, calling done(k) after each item with the
// number of items finished so far.
func parallelProgress(n int, newWorker func() func(i int), done func(k int)) {
	var finished atomic.Int64
	if done != nil {
		inner := newWorker
		newWorker = func() func(int) {
			w := inner()
			return func(i int) {
				w(i)
				done(int(finished.Add(1)))
			}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		if n > 0 {
			w := newWorker()
			for i := 0; i < n; i++ {
				w(i)
			}
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				w(i)
			}
		}()
	}
	wg.Wait()
}
