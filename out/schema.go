package out

import (
	"encoding/json"

	"github.com/invopop/jsonschema"
)

// SimulationSchema returns the JSON Schema of the simulate JSON document
// (Simulation), generated from its Go type, indented, with a final newline.
func SimulationSchema() []byte {
	r := &jsonschema.Reflector{}
	s := r.Reflect(&Simulation{})
	s.ID = "https://blast.invalid/schema/simulate-v1.json"
	s.Title = "blast simulate result"
	s.Description = "The outcome of one failure set: every feature, service and component with its state, and why-chains for those not up. Lists are sorted by id."
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic(err) // built from static types: cannot fail
	}
	return append(data, '\n')
}
