package cmd

import (
	"encoding/xml"
	"fmt"
	"math/big"
	"os"
	"strconv"
	"strings"
)

// This file computes the exact top-event probability of an Open-PSA fault
// tree with its own reader, its own BDD and math/big arithmetic at 200
// bits, sharing no code with blast's importer or its float64 BDD: an
// independent check of blast's probability far beyond the 6 digits SCRAM
// prints. It reads what the benchmark models use: and, or, atleast, nested
// formulas, house events and constants, private components, and basic
// events with float or int probabilities; anything else makes it decline.

// mefDoc is an Open-PSA document as encoding/xml reads it.
type mefElem struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Kids    []mefElem  `xml:",any"`
}

func (e *mefElem) attr(k string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == k {
			return a.Value
		}
	}
	return ""
}

// exactModel is a fault tree read for the exact evaluation.
type exactModel struct {
	gates  map[string]*mefElem // by full name, the gate's formula
	scope  map[string]string   // a gate's component path
	events map[string]string   // a basic event's probability as written
	houses map[string]bool
	nGates int
}

// readExact reads the model's files; err says why it declines.
func readExact(files []string) (*exactModel, error) {
	m := &exactModel{gates: map[string]*mefElem{}, scope: map[string]string{}, events: map[string]string{}, houses: map[string]bool{}}
	var walk func(e *mefElem, path string) error
	walk = func(e *mefElem, path string) error {
		for i := range e.Kids {
			k := &e.Kids[i]
			name := path + k.attr("name")
			switch k.XMLName.Local {
			case "define-fault-tree", "model-data":
				if err := walk(k, ""); err != nil {
					return err
				}
			case "define-component":
				if k.attr("role") != "private" {
					return fmt.Errorf("public component %s", name)
				}
				if err := walk(k, name+"."); err != nil {
					return err
				}
			case "define-gate":
				var f []*mefElem
				for j := range k.Kids {
					if n := k.Kids[j].XMLName.Local; n != "label" && n != "attributes" {
						f = append(f, &k.Kids[j])
					}
				}
				if len(f) != 1 {
					return fmt.Errorf("gate %s has %d formulas", name, len(f))
				}
				m.gates[name], m.scope[name] = f[0], path
				m.nGates++
			case "define-basic-event":
				for _, v := range k.Kids {
					switch v.XMLName.Local {
					case "float", "int":
						m.events[name] = v.attr("value")
					case "label", "attributes":
					default:
						return fmt.Errorf("basic event %s: <%s>", name, v.XMLName.Local)
					}
				}
			case "define-house-event":
				m.houses[name] = false
				for _, v := range k.Kids {
					if v.XMLName.Local == "constant" {
						m.houses[name] = v.attr("value") == "true"
					}
				}
			case "label", "attributes":
			default:
				return fmt.Errorf("<%s>", k.XMLName.Local)
			}
		}
		return nil
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var root mefElem
		if err := xml.Unmarshal(data, &root); err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		if err := walk(&root, ""); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// lookup resolves a name from inside a component: its own names first.
func lookup[V any](names map[string]V, scope, name string) (string, bool) {
	for s := scope; ; {
		if _, ok := names[s+name]; ok {
			return s + name, true
		}
		if s == "" {
			return "", false
		}
		s = s[:strings.LastIndex(strings.TrimSuffix(s, "."), ".")+1]
	}
}

// bdd is a reduced ordered BDD without complement edges: node 0 is false,
// 1 is true.
type bdd struct {
	nodes  [][3]int32 // variable, low, high
	unique map[[3]int32]int32
	memo   map[[3]int32]int32
	limit  int
}

type bddFull struct{}

func (b *bdd) mk(v, lo, hi int32) int32 {
	if lo == hi {
		return lo
	}
	k := [3]int32{v, lo, hi}
	if n, ok := b.unique[k]; ok {
		return n
	}
	if len(b.nodes) >= b.limit {
		panic(bddFull{})
	}
	b.nodes = append(b.nodes, k)
	b.unique[k] = int32(len(b.nodes) - 1)
	return int32(len(b.nodes) - 1)
}

// apply computes x op y, op 0 for and, 1 for or.
func (b *bdd) apply(op, x, y int32) int32 {
	if x > y {
		x, y = y, x
	}
	switch {
	case x <= 1 && op == 0:
		if x == 0 {
			return 0
		}
		return y
	case x <= 1 && op == 1:
		if x == 1 {
			return 1
		}
		return y
	case x == y:
		return x
	}
	k := [3]int32{op, x, y}
	if r, ok := b.memo[k]; ok {
		return r
	}
	nx, ny := b.nodes[x], b.nodes[y]
	v := min(nx[0], ny[0])
	xl, xh, yl, yh := x, x, y, y
	if nx[0] == v {
		xl, xh = nx[1], nx[2]
	}
	if ny[0] == v {
		yl, yh = ny[1], ny[2]
	}
	r := b.mk(v, b.apply(op, xl, yl), b.apply(op, xh, yh))
	b.memo[k] = r
	return r
}

// exactProbability returns P(top) to 200 bits; ok is false when the
// model uses what this reader declines or its BDD outgrows maxNodes.
func exactProbability(files []string, top string, maxNodes int) (p *big.Float, nEvents, nGates int, why string) {
	m, err := readExact(files)
	if err != nil {
		return nil, 0, 0, err.Error()
	}
	nEvents, nGates = len(m.events), m.nGates
	b := &bdd{nodes: make([][3]int32, 2), unique: map[[3]int32]int32{}, memo: map[[3]int32]int32{}, limit: maxNodes}
	b.nodes[0], b.nodes[1] = [3]int32{1 << 30, 0, 0}, [3]int32{1 << 30, 1, 1}
	varOf := map[string]int32{} // basic events in depth-first order
	var events []string
	gateBDD := map[string]int32{}
	var formula func(f *mefElem, scope string) int32
	formula = func(f *mefElem, scope string) int32 {
		name := f.attr("name")
		switch f.XMLName.Local {
		case "constant":
			if f.attr("value") == "true" {
				return 1
			}
			return 0
		case "house-event", "event", "gate", "basic-event":
			if full, ok := lookup(m.gates, scope, name); ok && f.XMLName.Local != "basic-event" && f.XMLName.Local != "house-event" {
				if r, ok := gateBDD[full]; ok {
					return r
				}
				r := formula(m.gates[full], m.scope[full])
				gateBDD[full] = r
				return r
			}
			if full, ok := lookup(m.events, scope, name); ok && f.XMLName.Local != "gate" && f.XMLName.Local != "house-event" {
				v, seen := varOf[full]
				if !seen {
					v = int32(len(events))
					varOf[full] = v
					events = append(events, full)
				}
				return b.mk(v, 0, 1)
			}
			if full, ok := lookup(m.houses, scope, name); ok {
				if m.houses[full] {
					return 1
				}
				return 0
			}
			panic(fmt.Sprintf("undefined %s %s", f.XMLName.Local, name))
		case "and", "or":
			op, r := int32(0), int32(1)
			if f.XMLName.Local == "or" {
				op, r = 1, 0
			}
			for i := range f.Kids {
				r = b.apply(op, r, formula(&f.Kids[i], scope))
			}
			return r
		case "atleast":
			k, _ := strconv.Atoi(f.attr("min"))
			args := make([]int32, len(f.Kids))
			for i := range f.Kids {
				args[i] = formula(&f.Kids[i], scope)
			}
			// at(k, i): at least k of args[i:] hold.
			memo := map[[2]int]int32{}
			var at func(k, i int) int32
			at = func(k, i int) int32 {
				switch {
				case k <= 0:
					return 1
				case len(args)-i < k:
					return 0
				}
				if r, ok := memo[[2]int{k, i}]; ok {
					return r
				}
				r := b.apply(1, b.apply(0, args[i], at(k-1, i+1)), at(k, i+1))
				memo[[2]int{k, i}] = r
				return r
			}
			return at(k, 0)
		}
		panic(fmt.Sprintf("formula <%s>", f.XMLName.Local))
	}
	var root int32
	func() {
		defer func() {
			switch r := recover().(type) {
			case nil:
			case bddFull:
				why = fmt.Sprintf("BDD over %d nodes", maxNodes)
			case string:
				why = r
			default:
				panic(r)
			}
		}()
		if _, ok := m.gates[top]; !ok {
			panic("no gate " + top)
		}
		root = formula(m.gates[top], m.scope[top])
	}()
	if why != "" {
		return nil, nEvents, nGates, why
	}
	const prec = 200
	ps := make([]*big.Float, len(events))
	for i, e := range events {
		f, _, err := big.ParseFloat(strings.TrimSpace(m.events[e]), 10, prec, big.ToNearestEven)
		if err != nil {
			return nil, nEvents, nGates, fmt.Sprintf("basic event %s: %v", e, err)
		}
		ps[i] = f
	}
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	pr := make([]*big.Float, len(b.nodes))
	pr[0], pr[1] = new(big.Float).SetPrec(prec), one
	var prob func(n int32) *big.Float
	prob = func(n int32) *big.Float {
		if pr[n] != nil {
			return pr[n]
		}
		nd := b.nodes[n]
		p := ps[nd[0]]
		q := new(big.Float).SetPrec(prec).Sub(one, p)
		r := new(big.Float).SetPrec(prec).Mul(p, prob(nd[2]))
		r.Add(r, q.Mul(q, prob(nd[1])))
		pr[n] = r
		return r
	}
	return prob(root), nEvents, nGates, ""
}
