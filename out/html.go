package out

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/blast-dev/blast/internal/num"
)

//go:embed report/report.html.tmpl report/report.css report/report.js
var reportFS embed.FS

var (
	reportCSS  = mustRead("report/report.css")
	reportJS   = mustRead("report/report.js")
	reportPage = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
		"count": func(n int64) string { return Count(n) },
		"upper": strings.ToUpper,
		"inc":   func(i int) int { return i + 1 },
		"plural": func(n int, one, many string) string {
			return fmt.Sprintf("%d %s", n, num.Plural(n, one, many))
		},
		"tier":  tierCell,
		"join":  htmlCodeList,
		"chain": func(ids []string) string { return strings.Join(ids, " ← ") },
		"name": func(id, name string) template.HTML {
			if name == "" || name == id {
				return "<code>" + template.HTML(template.HTMLEscapeString(id)) + "</code>"
			}
			return template.HTML(template.HTMLEscapeString(name) + " <code>" + template.HTMLEscapeString(id) + "</code>")
		},
		"blocked": func(ps []PaperEntry) []string {
			var out []string
			for _, p := range ps {
				out = append(out, p.BlockedBy...)
			}
			slices.Sort(out)
			return slices.Compact(out)
		},
	}).ParseFS(reportFS, "report/report.html.tmpl"))
)

func mustRead(name string) string {
	b, err := reportFS.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time
	}
	return string(b)
}

// htmlCodeList writes ids as escaped <code> elements separated by commas.
func htmlCodeList(ids []string) template.HTML {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("<code>" + template.HTMLEscapeString(id) + "</code>")
	}
	return template.HTML(b.String())
}

// ReportCSP is the Content-Security-Policy of the HTML report: nothing
// may load from anywhere; the one inline script runs because its hash is
// listed, and inline styles are allowed (the page's own and the SVG's).
// An injected script or event handler does not run.
func ReportCSP() string {
	h := sha256.Sum256([]byte(reportJS))
	return "default-src 'none'; script-src 'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
}

type htmlView struct {
	Title, Version, Now, CSP string
	Inputs                   []string
	Style                    template.CSS
	Script                   template.JS
	Model                    template.JS
	SVG                      template.HTML
	SVGNote                  string
	Features, WithSPOF       int
	Paper                    int
	Users                    string
	Kinds                    []string
	Worst                    *DomainReport
	Domains                  []DomainReport
	SPOF                     []FeatureRisk
	Check                    *CheckReport
	Sim                      *Simulation
	Affected                 []FeatureState
}

// WriteHTML writes the report as one self-contained HTML page: no network,
// no external assets. It holds the static report (summary and tables) and
// an explorer that evaluates any failure set in the page, by the model's
// rules, over the model embedded as JSON; the diagram, when r.SVG is set
// and passes SafeSVG, is inlined and coloured by the explorer. Inventory
// text is escaped everywhere, and the page's Content-Security-Policy
// (ReportCSP) runs only its own script.
func WriteHTML(w io.Writer, r *Report) error {
	a := r.Audit
	initial := []int32{}
	if r.Simulation != nil {
		for _, v := range r.Simulation.Result().Failed {
			if !slices.Contains(r.m.AlreadyFailed(), v) {
				initial = append(initial, v)
			}
		}
	}
	v := htmlView{
		Title: r.Title, Version: r.Version, Now: r.Now.Format("2006-01-02 15:04 UTC"), CSP: ReportCSP(),
		Inputs: r.Inputs, Style: template.CSS(reportCSS), Script: template.JS(reportJS),
		Model:    template.JS(ModelJSON(r.m, initial)),
		Features: a.Summary.Features, WithSPOF: a.Summary.FeaturesWithSPOF, Paper: a.Summary.FeaturesPaper,
		Users: Count(a.Summary.Users), Kinds: a.Kinds, Domains: r.worstDomains(), SPOF: r.spofFeatures(),
		Check: r.Check, Sim: r.Simulation, Affected: r.affected(), SVGNote: r.SVGNote,
	}
	if len(v.Domains) > 0 {
		v.Worst = &v.Domains[0]
	}
	if len(r.SVG) > 0 {
		svg, err := SafeSVG(r.SVG)
		if err != nil {
			v.SVGNote = "The diagram is left out: " + err.Error()
		} else {
			v.SVG = template.HTML(svg)
		}
	}
	var b bytes.Buffer
	if err := reportPage.Execute(&b, v); err != nil {
		return err
	}
	_, err := w.Write(noControls(b.Bytes()))
	return err
}

// noControls replaces, in the finished page, every control character but
// newline, tab and carriage return, and every bidirectional formatting
// character, with U+FFFD: the page's own text has none, and inventory text
// must not carry terminal escapes or reorder what is shown around it. The
// embedded JSON stays valid: encoding/json escapes control characters
// itself, and U+FFFD is an ordinary character.
func noControls(page []byte) []byte {
	if !bytes.ContainsFunc(page, func(r rune) bool { return unsafe(r) && r != '\n' && r != '\t' && r != '\r' }) {
		return page
	}
	return bytes.Map(func(r rune) rune {
		if unsafe(r) && r != '\n' && r != '\t' && r != '\r' {
			return '\uFFFD'
		}
		return r
	}, page)
}

var svgComment = regexp.MustCompile(`(?s)<!--.*?-->\n?`)

// svgElements are the elements Graphviz writes in an SVG.
var svgElements = map[string]bool{
	"svg": true, "g": true, "title": true, "path": true, "polygon": true, "polyline": true,
	"ellipse": true, "text": true, "a": true, "defs": true, "linearGradient": true,
	"radialGradient": true, "stop": true, "image": false,
}

// SafeSVG checks that svg, as Graphviz writes it, holds only drawing
// elements (no script, foreignObject or image), no event-handler
// attributes and no links other than fragment links, and returns it
// without the XML prolog, doctype and comments so that it can be inlined
// in HTML. O(len(svg)).
func SafeSVG(svg []byte) ([]byte, error) {
	start := bytes.Index(svg, []byte("<svg"))
	if start < 0 {
		return nil, errors.New("no <svg> element")
	}
	body := svg[start:]
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("the SVG does not parse: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if !svgElements[t.Name.Local] {
				return nil, fmt.Errorf("the SVG holds a <%s> element", t.Name.Local)
			}
			for _, at := range t.Attr {
				name := strings.ToLower(at.Name.Local)
				if strings.HasPrefix(name, "on") {
					return nil, fmt.Errorf("the SVG holds an event handler (%s)", at.Name.Local)
				}
				if name == "href" && !strings.HasPrefix(at.Value, "#") {
					return nil, errors.New("the SVG links outside itself")
				}
			}
		case xml.EndElement:
			depth--
		case xml.ProcInst, xml.Directive:
			if depth > 0 {
				return nil, errors.New("the SVG holds a processing instruction or directive inside its drawing")
			}
		}
	}
	// In well-formed XML a raw "<!--" starts a comment (in text and
	// attributes "<" is escaped), and a comment holds no "--".
	return bytes.TrimSpace(svgComment.ReplaceAll(body, nil)), nil
}
