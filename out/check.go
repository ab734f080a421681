package out

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/num"
	"github.com/blast-dev/blast/inventory"
)

// CheckReport is the check JSON document: the policy's findings, and
// whether the gate passed.
type CheckReport struct {
	Inventory string          `json:"inventory"`
	Policy    string          `json:"policy"`
	FailOn    string          `json:"failOn" jsonschema:"enum=error,enum=warning,enum=note"`
	Passed    bool            `json:"passed"`
	Baseline  string          `json:"baseline,omitempty"`
	Summary   CheckSummary    `json:"summary"`
	Rules     []RuleReport    `json:"rules"`
	Findings  []FindingReport `json:"findings"`

	subjects [][]string
}

// CheckSummary counts findings.
type CheckSummary struct {
	Rules     int `json:"rules"`
	Findings  int `json:"findings"`
	Errors    int `json:"errors"`
	Warnings  int `json:"warnings"`
	Notes     int `json:"notes"`
	Baselined int `json:"baselined"`
}

// RuleReport describes one rule and how it fared.
type RuleReport struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	Severity    string `json:"severity"`
	Description string `json:"description"`
	Checked     int    `json:"checked"`
	Findings    int    `json:"findings"`
	// Skipped is set when the rule was not checked: no component has any
	// of its kinds (the built-in policy on an estate without them).
	Skipped bool `json:"skipped,omitempty"`
	// Warnings say what may make the rule check less than meant, such as
	// a selection that picks nothing.
	Warnings []string `json:"warnings,omitempty"`
}

// Location is where in the inventory a finding's subject is defined.
type Location struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// FindingReport is one finding.
type FindingReport struct {
	Rule        string   `json:"rule"`
	Type        string   `json:"type"`
	Severity    string   `json:"severity"`
	Subject     string   `json:"subject"`
	SubjectKind string   `json:"subjectKind" jsonschema:"enum=feature,enum=service,enum=component"`
	Failure     string   `json:"failure,omitempty"`
	State       string   `json:"state,omitempty"`
	Message     string   `json:"message"`
	Why         []string `json:"why,omitempty"`
	// WhyText is Why as people read it: the ids joined by " ← ", each
	// service whose replicas or failover are part of the story followed by
	// what happened to them in brackets ("talk-api [replicas 0/6400
	// active, 3500/3500 standby; quorum 3201; failover blocked by
	// ops-tools]").
	WhyText  string    `json:"whyText,omitempty"`
	Cycle    []string  `json:"cycle,omitempty"`
	Location *Location `json:"location,omitempty"`
	// Fingerprint is stable across runs and line moves: a hash of rule,
	// subject and failure.
	Fingerprint string `json:"fingerprint"`
}

// RuleDescription says what a rule requires, in one sentence.
func RuleDescription(r *inventory.Rule) string {
	if r.Description != "" {
		return r.Description
	}
	kinds := strings.Join(r.Kinds, " or ")
	sel := r.Select.String()
	switch r.Type {
	case inventory.RuleSurvive:
		return fmt.Sprintf("Features (%s) stay %s after the loss of any single %s.", sel, wantWord(r.Allow), kinds)
	case inventory.RuleMaxImpact:
		var limits []string
		if r.MaxUsers > 0 {
			limits = append(limits, Count(r.MaxUsers)+" users")
		}
		if r.MaxPercent > 0 {
			limits = append(limits, fmt.Sprintf("%g%% of users", r.MaxPercent))
		}
		return fmt.Sprintf("No single %s takes down more than %s.", kinds, strings.Join(limits, " or "))
	case inventory.RuleIndependentFailover:
		return fmt.Sprintf("The failover control plane of services (%s) shares no %s with their active replicas.", sel, kinds)
	case inventory.RuleSpread:
		return fmt.Sprintf("Replicas of services (%s) span at least %d %ss.", sel, r.Min, kinds)
	case inventory.RuleNoCycles:
		return fmt.Sprintf("Services (%s) can all start again from nothing: no cold-start deadlock.", sel)
	}
	return r.Type
}

func wantWord(allow string) string {
	if allow == "degraded" {
		return "not down"
	}
	return "up"
}

// whyText joins a why-chain's ids with " ← ", each followed by its
// detail in brackets when it has one.
func whyText(m *graph.Model, why []int32, detail []string) string {
	parts := make([]string, len(why))
	for i, v := range why {
		parts[i] = m.ID(v)
		if i < len(detail) && detail[i] != "" {
			parts[i] += " [" + detail[i] + "]"
		}
	}
	return strings.Join(parts, " ← ")
}

// Fingerprint is a stable identity of a finding: the first 16 hex digits
// of SHA-256 over rule, subject and failure ids.
func Fingerprint(rule, subject, failure string) string {
	h := sha256.Sum256([]byte(rule + "\x00" + subject + "\x00" + failure))
	return hex.EncodeToString(h[:8])
}

// NewCheckReport builds the report of res. baselined counts findings left
// out because the baseline already had them.
func NewCheckReport(name, policy, failOn string, m *graph.Model, res *graph.CheckResult, findings []graph.Finding, baselined int) *CheckReport {
	r := &CheckReport{Inventory: name, Policy: policy, FailOn: failOn, Passed: true, Rules: []RuleReport{}, Findings: []FindingReport{}}
	r.Summary.Baselined = baselined
	count := map[string]int{}
	for _, f := range findings {
		fr := FindingReport{Rule: f.Rule.ID, Type: f.Rule.Type, Severity: f.Rule.Severity, Subject: m.ID(f.Subject),
			SubjectKind: m.Kind(f.Subject).String(), Message: f.Message, Why: ids(m, f.Why), Cycle: ids(m, f.Cycle)}
		if len(fr.Why) == 0 {
			fr.Why = nil
		}
		if len(f.Why) > 1 {
			fr.WhyText = whyText(m, f.Why, f.WhyDetail)
		}
		if len(fr.Cycle) == 0 {
			fr.Cycle = nil
		}
		if f.Failure >= 0 {
			fr.Failure = m.ID(f.Failure)
		}
		if f.Rule.Type == inventory.RuleSurvive {
			fr.State = f.State.String()
		}
		if pos := m.Pos(f.Subject); pos.Line > 0 {
			fr.Location = &Location{File: pos.File, Line: pos.Line, Column: pos.Col}
		}
		fr.Fingerprint = Fingerprint(fr.Rule, fr.Subject, fr.Failure)
		r.Findings = append(r.Findings, fr)
		count[f.Rule.ID]++
		switch f.Rule.Severity {
		case inventory.SeverityError:
			r.Summary.Errors++
		case inventory.SeverityWarning:
			r.Summary.Warnings++
		default:
			r.Summary.Notes++
		}
		if graph.Fails(f.Rule.Severity, failOn) {
			r.Passed = false
		}
	}
	r.Summary.Findings = len(findings)
	for i := range res.Policy.Rules {
		rule := &res.Policy.Rules[i]
		r.Rules = append(r.Rules, RuleReport{ID: rule.ID, Type: rule.Type, Severity: rule.Severity,
			Description: RuleDescription(rule), Checked: len(res.Subjects[i]), Findings: count[rule.ID],
			Skipped: res.Skipped[i], Warnings: res.RuleWarnings[i]})
		r.subjects = append(r.subjects, ids(m, res.Subjects[i]))
	}
	r.Summary.Rules = len(r.Rules)
	return r
}

// Relativize rewrites each finding's location file that is an absolute
// path inside dir as a path relative to dir (slash-separated), so that
// SARIF, GitHub annotations and JUnit name files as the repository does.
// Other paths, and all paths when dir is "", are left as they are.
func (r *CheckReport) Relativize(dir string) {
	if dir == "" {
		return
	}
	for i := range r.Findings {
		loc := r.Findings[i].Location
		if loc == nil || !filepath.IsAbs(loc.File) {
			continue
		}
		if rel, err := filepath.Rel(dir, loc.File); err == nil && filepath.IsLocal(rel) {
			loc.File = filepath.ToSlash(rel)
		}
	}
}

// WriteCheckText writes the findings for people, rule by rule, each with
// its location and why-chain, then the verdict.
func WriteCheckText(w io.Writer, r *CheckReport, opt TextOptions) error {
	p := &printer{w: w, color: opt.Color}
	p.printf("%s — policy %s: %d %s, fail on %s\n", p.bold(r.Inventory), Clean(r.Policy), r.Summary.Rules, num.Plural(r.Summary.Rules, "rule", "rules"), r.FailOn)
	if r.Baseline != "" {
		p.printf("baseline %s: %d known %s left out\n", Clean(r.Baseline), r.Summary.Baselined, num.Plural(r.Summary.Baselined, "finding", "findings"))
	}
	i := 0
	for _, rule := range r.Rules {
		mark := p.paint("32", "pass")
		switch {
		case rule.Findings > 0:
			mark = p.severity(rule.Severity)
		case rule.Skipped:
			mark = p.paint("36", "skip")
		}
		p.printf("\n%s %s (%s): %s — %d checked, %d %s\n", mark, p.bold(rule.ID), rule.Type, Clean(rule.Description),
			rule.Checked, rule.Findings, num.Plural(rule.Findings, "finding", "findings"))
		for _, w := range rule.Warnings {
			p.printf("  %s %s\n", p.paint("33", "warning:"), Clean(w))
		}
		for ; i < len(r.Findings) && r.Findings[i].Rule == rule.ID; i++ {
			f := r.Findings[i]
			loc := ""
			if f.Location != nil {
				loc = fmt.Sprintf("%s:%d:%d: ", Clean(f.Location.File), f.Location.Line, f.Location.Column)
			}
			p.printf("  %s%s\n", loc, Clean(f.Message))
			if f.WhyText != "" {
				p.printf("      why: %s\n", Clean(f.WhyText))
			}
		}
	}
	verdict := p.paint("32;1", "PASSED")
	if !r.Passed {
		verdict = p.paint("31;1", "FAILED")
	}
	p.printf("\n%s: %d %s (%d %s, %d %s, %d %s)\n", verdict, r.Summary.Findings, num.Plural(r.Summary.Findings, "finding", "findings"),
		r.Summary.Errors, num.Plural(r.Summary.Errors, "error", "errors"), r.Summary.Warnings, num.Plural(r.Summary.Warnings, "warning", "warnings"),
		r.Summary.Notes, num.Plural(r.Summary.Notes, "note", "notes"))
	return p.err
}

func (p *printer) severity(s string) string {
	switch s {
	case inventory.SeverityError:
		return p.paint("31;1", "FAIL")
	case inventory.SeverityWarning:
		return p.paint("33;1", "WARN")
	}
	return p.paint("36", "NOTE")
}

func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Clean(s)
	}
	return out
}

// WriteGitHub writes one GitHub Actions workflow command per finding
// (::error, ::warning or ::notice), located at the subject's file, line
// and column, so that the findings show on the pull request's diff. An
// inventory read from standard input gives annotations without a file.
func WriteGitHub(w io.Writer, r *CheckReport) error {
	for _, f := range r.Findings {
		cmd := "error"
		switch f.Severity {
		case inventory.SeverityWarning:
			cmd = "warning"
		case inventory.SeverityNote:
			cmd = "notice"
		}
		var props []string
		// from standard input ("-"): no file to attach the annotation to;
		// it shows on the run's summary
		if f.Location != nil && f.Location.File != "-" {
			props = append(props, "file="+ghProperty(f.Location.File), fmt.Sprintf("line=%d", f.Location.Line), fmt.Sprintf("col=%d", f.Location.Column))
		}
		props = append(props, "title="+ghProperty("blast "+f.Rule))
		msg := f.Message
		if f.WhyText != "" {
			msg += "\nwhy: " + f.WhyText
		}
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", cmd, strings.Join(props, ","), ghData(msg)); err != nil {
			return err
		}
	}
	return nil
}

// ghData escapes a workflow command's message: %, CR and LF.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value: as ghData, plus
// the colon and comma that separate properties.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// JUnit XML, as CI servers read it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// junitText is a finding as a JUnit failure or output shows it: the
// severity, the message and the why-chain.
func junitText(f FindingReport) string {
	text := "[" + f.Severity + "] " + f.Message
	if f.WhyText != "" {
		text += "\nwhy: " + f.WhyText
	}
	return text
}

// WriteJUnit writes JUnit XML that agrees with the gate: one test suite
// per rule and one test case per rule and subject it checked. A test case
// fails, with one failure element, when it has findings at or above the
// gate's severity (--fail-on): the element's message is the first
// finding's (with a count when there are more) and its text lists them
// all, worst first as the report orders them. Findings below the gate
// leave the test case passing and are listed in its system-out.
func WriteJUnit(w io.Writer, r *CheckReport) error {
	doc := junitSuites{Name: "blast check " + xmlText(r.Inventory)}
	i := 0
	for ri, rule := range r.Rules {
		s := junitSuite{Name: xmlText(rule.ID)}
		cases := map[string]int{}
		failing := map[int][]FindingReport{}
		below := map[int][]string{}
		for _, subj := range r.subjects[ri] {
			cases[subj] = len(s.Cases)
			s.Cases = append(s.Cases, junitCase{Name: xmlText(subj), Classname: "blast." + xmlText(rule.ID)})
		}
		for ; i < len(r.Findings) && r.Findings[i].Rule == rule.ID; i++ {
			f := r.Findings[i]
			ci, ok := cases[f.Subject]
			if !ok {
				ci = len(s.Cases)
				cases[f.Subject] = ci
				s.Cases = append(s.Cases, junitCase{Name: xmlText(f.Subject), Classname: "blast." + xmlText(rule.ID)})
			}
			c := &s.Cases[ci]
			if f.Location != nil {
				c.File, c.Line = xmlText(f.Location.File), f.Location.Line
			}
			if graph.Fails(f.Severity, r.FailOn) {
				failing[ci] = append(failing[ci], f)
			} else {
				below[ci] = append(below[ci], junitText(f))
			}
		}
		for ci := range s.Cases {
			c := &s.Cases[ci]
			if fs := failing[ci]; len(fs) > 0 {
				msg := fs[0].Message
				if len(fs) > 1 {
					msg = fmt.Sprintf("%d findings; the first: %s", len(fs), msg)
				}
				texts := make([]string, len(fs))
				for j, f := range fs {
					texts[j] = junitText(f)
				}
				c.Failure = &junitFailure{Message: xmlText(msg), Type: fs[0].Severity, Text: xmlText(strings.Join(texts, "\n\n"))}
				s.Failures++
			}
			if len(below[ci]) > 0 {
				c.SystemOut = xmlText(fmt.Sprintf("below the gate (fail on %s):\n%s", r.FailOn, strings.Join(below[ci], "\n\n")))
			}
		}
		s.Tests = len(s.Cases)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Suites = append(doc.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// xmlText drops the characters XML 1.0 cannot carry at all (most control
// characters); encoding/xml escapes the rest.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r != 0xFFFE && r != 0xFFFF) {
			return r
		}
		return '\uFFFD'
	}, s)
}
