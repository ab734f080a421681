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
