package out

import (
	"io"
	"strings"

	"github.com/blast-dev/blast/inventory"
)

// SARIF 2.1.0, the subset blast writes. GitHub code scanning reads it.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name"`
	ShortDescription     sarifText         `json:"shortDescription"`
	FullDescription      sarifText         `json:"fullDescription"`
	DefaultConfiguration sarifConfig       `json:"defaultConfiguration"`
	Properties           map[string]string `json:"properties,omitempty"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

// sarifLevel maps a rule severity to a SARIF level.
func sarifLevel(severity string) string {
	switch severity {
	case inventory.SeverityWarning:
		return "warning"
	case inventory.SeverityNote:
		return "note"
	}
	return "error"
}

// WriteSARIF writes the findings as a SARIF 2.1.0 log with one run: the
// policy's rules as the driver's rules, each finding a result located at
// the inventory file, line and column of its subject (see sarifURI; call
// CheckReport.Relativize first to make absolute paths inside the
// repository relative), with a partial fingerprint that survives line
// moves.
func WriteSARIF(w io.Writer, r *CheckReport, version string) error {
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
	}
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "blast", Version: version, Rules: []sarifRule{}}}, Results: []sarifResult{}}
	index := map[string]int{}
	for i, rule := range r.Rules {
		index[rule.ID] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID:                   rule.ID,
			Name:                 ruleName(rule.ID),
			ShortDescription:     sarifText{Text: rule.Description},
			FullDescription:      sarifText{Text: rule.Description},
			DefaultConfiguration: sarifConfig{Level: sarifLevel(rule.Severity)},
			Properties:           map[string]string{"type": rule.Type},
		})
	}
	for _, f := range r.Findings {
		msg := f.Message + "."
		if f.WhyText != "" {
			msg += " Why: " + f.WhyText + "."
		}
		res := sarifResult{RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity), Message: sarifText{Text: msg},
			PartialFingerprints: map[string]string{"blastFinding/v1": f.Fingerprint}}
		if f.Location != nil {
			res.Locations = []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: sarifURI(f.Location.File)},
				Region:           sarifRegion{StartLine: f.Location.Line, StartColumn: f.Location.Column},
			}}}
		}
		run.Results = append(run.Results, res)
	}
	log.Runs = []sarifRun{run}
	return WriteJSON(w, log)
}

// sarifURI turns a path as given on the command line into a URI: a
// relative reference (forward slashes, no leading "./", spaces and other
// unsafe bytes percent-encoded) for a relative path, which code scanning
// resolves against the repository; a file:// URI for an absolute one;
// "stdin" for "-", standard input, which has no file (code scanning
// refuses results without a location).
func sarifURI(path string) string {
	if path == "-" {
		return "stdin"
	}
	path = strings.ReplaceAll(path, "\\", "/")
	path = strings.TrimPrefix(path, "./")
	var b strings.Builder
	abs := strings.HasPrefix(path, "/") || (len(path) > 2 && path[1] == ':' && path[2] == '/')
	if abs {
		b.WriteString("file://")
		if !strings.HasPrefix(path, "/") {
			b.WriteByte('/') // file:///C:/...
		}
	}
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~/", c) >= 0 || (abs && c == ':' && i == 1) {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
	}
	return b.String()
}

// ruleName turns a rule id such as tier1-survives-site into the
// PascalCase name SARIF viewers show: Tier1SurvivesSite.
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		if r == '-' || r == '_' || r == '.' || r == ' ' {
			up = true
			continue
		}
		if up {
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
