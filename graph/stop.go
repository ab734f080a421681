package graph

import "context"

// stopEvery is how many steps of a long computation pass between looks at
// its context.
const stopEvery = 4096

// stopper lets a long computation (the operations of a BDD or a ZDD) stop
// when a context is done. It looks at the context on the first step and
// then every stopEvery steps; once the context is done it says stop at
// every step, and the computation unwinds with a meaningless result that
// its caller discards. A nil stopper never stops.
type stopper struct {
	ctx   context.Context
	steps int
	err   error
}

func newStopper(ctx context.Context) *stopper { return &stopper{ctx: ctx} }

// stop counts a step and reports whether the computation should stop.
func (s *stopper) stop() bool {
	if s == nil {
		return false
	}
	if s.err == nil && s.steps%stopEvery == 0 {
		s.err = s.ctx.Err()
	}
	s.steps++
	return s.err != nil
}
