package inventory

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MissionTime is the value of <system-mission-time/> in Open-PSA input, in
// hours: one year, the MEF tools' usual default.
const MissionTime = 8760.0

// mefParam is a define-parameter being read: its expression is evaluated
// once, when something first refers to it.
type mefParam struct {
	name  string
	expr  *xnode
	pos   Pos
	state int // 0 not evaluated, 1 being evaluated, 2 done, 3 failed
	val   float64
}

// unsupportedExpr names the MEF expressions blast does not evaluate and
// why; each is refused with the element's position.
var unsupportedExpr = map[string]string{
	"GLM":                   "a time-dependent model",
	"Weibull":               "a time-dependent model",
	"periodic-test":         "a time-dependent model",
	"test-initiating-event": "an event-tree test",
	"test-functional-event": "an event-tree test",
	"extern-function":       "an external function",
	"switch":                "a conditional expression",
	"ite":                   "a conditional expression",
}

// exprHint says what blast does evaluate.
const exprHint = "give a point value: float, int, bool, parameter, exponential, system-mission-time, an uncertainty distribution (read as its mean), or arithmetic (mul, div, add, sub, neg) on those"

// evaluator evaluates MEF expressions, reporting each problem once.
type evaluator struct {
	params map[string]*mefParam
	errf   func(pos Pos, hint, format string, args ...any)
}

// eval returns the value of expression n; ok is false when it could not
// be evaluated (the problem has been reported). what names the element
// the expression belongs to, for messages.
func (e *evaluator) eval(n *xnode, what string) (float64, bool) {
	args := func() ([]float64, bool) { return e.args(n, what) }
	switch n.name {
	case "float", "int":
		s := strings.TrimSpace(n.attr("value"))
		v, err := strconv.ParseFloat(s, 64)
		if n.name == "int" {
			var i int64
			i, err = strconv.ParseInt(s, 10, 64)
			v = float64(i)
		}
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			e.errf(n.pos, fmt.Sprintf(`write value="..." as a%s number`, map[bool]string{true: " whole", false: ""}[n.name == "int"]), "%s: <%s> value %q is not a number", what, n.name, n.attr("value"))
			return 0, false
		}
		return v, true
	case "bool":
		switch strings.TrimSpace(n.attr("value")) {
		case "true":
			return 1, true
		case "false":
			return 0, true
		}
		e.errf(n.pos, `write value="true" or value="false"`, "%s: <bool> value %q is not a Boolean", what, n.attr("value"))
		return 0, false
	case "system-mission-time":
		return MissionTime, true
	case "parameter":
		name := n.attr("name")
		p := e.params[name]
		if p == nil {
			e.errf(n.pos, "define it with <define-parameter> in one of the files", "%s refers to undefined parameter %q", what, name)
			return 0, false
		}
		switch p.state {
		case 0:
			p.state = 1
			v, ok := e.paramValue(p)
			p.val = v
			p.state = map[bool]int{true: 2, false: 3}[ok]
		case 1:
			e.errf(n.pos, "break the cycle", "parameter %q is defined in terms of itself", name)
			p.state = 3
			return 0, false
		}
		return p.val, p.state == 2
	case "exponential":
		vs, ok := args()
		if len(vs) != 2 {
			e.errf(n.pos, "give the failure rate and the time: <exponential><float value=\"1e-5\"/><system-mission-time/></exponential>", "%s: <exponential> with %d arguments is not supported (only λ and t)", what, len(vs))
			return 0, false
		}
		if !ok {
			return 0, false
		}
		if vs[0] < 0 || vs[1] < 0 {
			e.errf(n.pos, "give a rate and a time of 0 or more", "%s: <exponential> of rate %g and time %g", what, vs[0], vs[1])
			return 0, false
		}
		return -math.Expm1(-vs[0] * vs[1]), true
	case "pi":
		return math.Pi, true
	case "exp", "log", "log10", "sqrt", "abs", "pow", "min", "max", "mean":
		vs, ok := args()
		n1 := map[string]int{"pow": 2}[n.name]
		if n1 == 0 && (n.name == "min" || n.name == "max" || n.name == "mean") {
			n1 = -1
		} else if n1 == 0 {
			n1 = 1
		}
		if n1 > 0 && len(vs) != n1 || n1 < 0 && len(vs) == 0 {
			e.errf(n.pos, "give it the arguments it takes", "%s: <%s> with %d arguments", what, n.name, len(vs))
			return 0, false
		}
		if !ok {
			return 0, false
		}
		var v float64
		switch n.name {
		case "exp":
			v = math.Exp(vs[0])
		case "log":
			v = math.Log(vs[0])
		case "log10":
			v = math.Log10(vs[0])
		case "sqrt":
			v = math.Sqrt(vs[0])
		case "abs":
			v = math.Abs(vs[0])
		case "pow":
			v = math.Pow(vs[0], vs[1])
		case "min", "max", "mean":
			v = vs[0]
			for _, x := range vs[1:] {
				switch n.name {
				case "min":
					v = min(v, x)
				case "max":
					v = max(v, x)
				default:
					v += x
				}
			}
			if n.name == "mean" {
				v /= float64(len(vs))
			}
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			e.errf(n.pos, "check its arguments", "%s: <%s> of %v is not a number", what, n.name, vs)
			return 0, false
		}
		return v, true
	case "lognormal-deviate", "normal-deviate", "uniform-deviate", "gamma-deviate", "beta-deviate":
		return e.deviateMean(n, what)
	case "histogram":
		return e.histogramMean(n, what)
	case "mul", "add", "sub", "div", "neg":
		vs, ok := args()
		want := "at least one argument"
		if n.name == "neg" {
			want = "one argument"
		}
		if len(vs) == 0 || n.name == "neg" && len(vs) != 1 {
			e.errf(n.pos, "give it "+want, "%s: <%s> with %d arguments", what, n.name, len(vs))
			return 0, false
		}
		if !ok {
			return 0, false
		}
		v := vs[0]
		for _, x := range vs[1:] {
			switch n.name {
			case "mul":
				v *= x
			case "add":
				v += x
			case "sub":
				v -= x
			case "div":
				if x == 0 {
					e.errf(n.pos, "divide by a value other than 0", "%s: <div> by 0", what)
					return 0, false
				}
				v /= x
			}
		}
		if n.name == "neg" {
			v = -v
		}
		return v, true
	}
	if why, ok := unsupportedExpr[n.name]; ok {
		hint := exprHint
		switch why {
		case "a time-dependent model":
			hint = `give the probability at the mission time as <float value="..."/>, or an <exponential>`
		}
		e.errf(n.pos, hint, "%s: <%s> (%s) is not supported", what, n.name, why)
		return 0, false
	}
	e.errf(n.pos, exprHint, "%s: unknown expression <%s>", what, n.name)
	return 0, false
}

// args evaluates the arguments of expression n (its elements but label
// and attributes); ok is false when one could not be evaluated.
func (e *evaluator) args(n *xnode, what string) ([]float64, bool) {
	var vs []float64
	ok := true
	for _, k := range n.kids {
		if k.name == "label" || k.name == "attributes" {
			continue
		}
		v, kok := e.eval(k, what)
		ok = ok && kok
		vs = append(vs, v)
	}
	return vs, ok
}

// paramValue evaluates a define-parameter's one expression.
func (e *evaluator) paramValue(p *mefParam) (float64, bool) {
	if p.expr == nil {
		e.errf(p.pos, "give it one expression, such as <float value=\"1e-5\"/>", "parameter %q has no value", p.name)
		return 0, false
	}
	return e.eval(p.expr, fmt.Sprintf("parameter %q", p.name))
}

// deviateMean evaluates an uncertainty distribution as its mean, the
// point value PRA tools compute with: lognormal-deviate (mean, error
// factor[, confidence level]) is its first argument, and with two
// arguments (μ, σ of the underlying normal) exp(μ + σ²/2);
// normal-deviate (mean, σ) its first argument; uniform-deviate (min, max)
// the midpoint; gamma-deviate (k, θ) kθ; beta-deviate (α, β) α/(α+β).
// The parameters are checked as a sampler would need them.
func (e *evaluator) deviateMean(n *xnode, what string) (float64, bool) {
	vs, ok := e.args(n, what)
	arity := map[string]string{
		"lognormal-deviate": "the mean, the error factor and optionally the confidence level (or μ and σ)",
		"normal-deviate":    "the mean and the standard deviation",
		"uniform-deviate":   "the minimum and the maximum",
		"gamma-deviate":     "the shape k and the scale θ",
		"beta-deviate":      "α and β",
	}[n.name]
	if len(vs) != 2 && !(n.name == "lognormal-deviate" && len(vs) == 3) {
		e.errf(n.pos, "give it "+arity, "%s: <%s> with %d arguments", what, n.name, len(vs))
		return 0, false
	}
	if !ok {
		return 0, false
	}
	bad := func(format string, args ...any) (float64, bool) {
		e.errf(n.pos, "give it "+arity, "%s: <%s> %s", what, n.name, fmt.Sprintf(format, args...))
		return 0, false
	}
	a, b := vs[0], vs[1]
	var v float64
	switch n.name {
	case "lognormal-deviate":
		if len(vs) == 3 {
			if a <= 0 || b < 1 || vs[2] <= 0 || vs[2] >= 1 {
				return bad("needs a mean above 0, an error factor of 1 or more and a level between 0 and 1; got %g, %g, %g", a, b, vs[2])
			}
			v = a
			break
		}
		if b < 0 {
			return bad("has σ = %g below 0", b)
		}
		v = math.Exp(a + b*b/2)
	case "normal-deviate":
		if b < 0 {
			return bad("has a standard deviation of %g, below 0", b)
		}
		v = a
	case "uniform-deviate":
		if a > b {
			return bad("has its minimum %g above its maximum %g", a, b)
		}
		v = (a + b) / 2
	case "gamma-deviate":
		if a <= 0 || b <= 0 {
			return bad("needs k and θ above 0; got %g, %g", a, b)
		}
		v = a * b
	case "beta-deviate":
		if a <= 0 || b <= 0 {
			return bad("needs α and β above 0; got %g, %g", a, b)
		}
		v = a / (a + b)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return bad("of %v has no finite mean", vs)
	}
	return v, true
}

// histogramMean evaluates a histogram (a lower bound, then bins of an
// upper bound and a weight) as its mean: the weighted mean of the bins'
// midpoints.
func (e *evaluator) histogramMean(n *xnode, what string) (float64, bool) {
	const hint = `give a lower bound, then <bin> elements of an upper bound and a weight: <histogram><float value="0"/><bin><float value="0.01"/><float value="1"/></bin></histogram>`
	var kids []*xnode
	for _, k := range n.kids {
		if k.name != "label" && k.name != "attributes" {
			kids = append(kids, k)
		}
	}
	if len(kids) < 2 {
		e.errf(n.pos, hint, "%s: <histogram> without bins", what)
		return 0, false
	}
	lo, ok := e.eval(kids[0], what)
	if !ok {
		return 0, false
	}
	var sum, weights float64
	for _, bin := range kids[1:] {
		if bin.name != "bin" {
			e.errf(bin.pos, hint, "%s: <%s> in a <histogram>, where a <bin> belongs", what, bin.name)
			return 0, false
		}
		var vs []float64
		for _, k := range bin.kids {
			v, kok := e.eval(k, what)
			if !kok {
				return 0, false
			}
			vs = append(vs, v)
		}
		if len(vs) != 2 {
			e.errf(bin.pos, hint, "%s: <bin> with %d values", what, len(vs))
			return 0, false
		}
		hi, w := vs[0], vs[1]
		if hi < lo || w < 0 {
			e.errf(bin.pos, hint, "%s: <bin> up to %g after %g, weight %g: bounds must not decrease and weights must not be negative", what, hi, lo, w)
			return 0, false
		}
		sum += (lo + hi) / 2 * w
		weights += w
		lo = hi
	}
	if weights <= 0 {
		e.errf(n.pos, hint, "%s: <histogram> whose weights add up to 0", what)
		return 0, false
	}
	return sum / weights, true
}
