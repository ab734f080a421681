package inventory

import (
	"encoding/json"

	"github.com/invopop/jsonschema"
)

// SchemaID is the $id of the inventory JSON Schema.
const SchemaID = "https://blast.invalid/schema/inventory-v1.json"

// Schema returns the JSON Schema (draft 2020-12) of a blast/v1 inventory,
// generated from the Go types of this package, indented, with a final
// newline. Editors use it to validate inventories as they are written; it
// checks shape only, so run blast validate for references and counts.
func Schema() []byte {
	return schemaOf(&Inventory{}, SchemaID, "blast inventory ("+APIVersion+")",
		"User features, the services they need, and the physical components those services run on.")
}

// schemaOf reflects the JSON Schema of v's type.
func schemaOf(v any, id, title, description string) []byte {
	r := &jsonschema.Reflector{}
	s := r.Reflect(v)
	s.ID = jsonschema.ID(id)
	s.Title = title
	s.Description = description
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic(err) // the schema is built from static types: cannot fail
	}
	return append(data, '\n')
}

var (
	idSchema   = &jsonschema.Schema{Type: "string", MinLength: ptr(uint64(1)), Pattern: `^[^,=\s][^,=\x00-\x1f]*$`, Description: "An id of a component, service or feature."}
	trueSchema = &jsonschema.Schema{Type: "boolean"}
)

func ptr[T any](v T) *T { return &v }

func idList() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "array", Items: idSchema, MinItems: ptr(uint64(1))}
}

func object(required []string, props ...any) *jsonschema.Schema {
	s := &jsonschema.Schema{Type: "object", Properties: jsonschema.NewProperties(), Required: required, AdditionalProperties: jsonschema.FalseSchema}
	for i := 0; i+1 < len(props); i += 2 {
		s.Properties.Set(props[i].(string), props[i+1].(*jsonschema.Schema))
	}
	return s
}

// JSONSchema describes a reference: an id.
func (Ref) JSONSchema() *jsonschema.Schema { return idSchema }

// JSONSchema describes a dependsOn entry: an id, {on, soft},
// {anyOf, soft} or {atLeast, of, soft}.
func (Dep) JSONSchema() *jsonschema.Schema {
	k := &jsonschema.Schema{Type: "integer", Minimum: json.Number("1")}
	calls := &jsonschema.Schema{Type: "integer", Minimum: json.Number("0"),
		Description: "Calls observed along the dependency (blast import traces); kept for reference, no effect on the evaluation."}
	return &jsonschema.Schema{
		Description: "A dependency: an id (hard), {on: id, soft: true}, {anyOf: [ids]} or {atLeast: k, of: [ids]}; calls records observed traffic.",
		OneOf: []*jsonschema.Schema{
			idSchema,
			object([]string{"on"}, "on", idSchema, "soft", trueSchema, "calls", calls),
			object([]string{"anyOf"}, "anyOf", idList(), "soft", trueSchema, "calls", calls),
			object([]string{"atLeast", "of"}, "atLeast", k, "of", idList(), "soft", trueSchema, "calls", calls),
		},
	}
}

// JSONSchema describes a replica count: a whole number, "majority" or a
// percentage.
func (Quantity) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Description: `A number of replicas: a whole number, "majority" (more than half of the active replicas) or a percentage of the active replicas such as "75%".`,
		OneOf: []*jsonschema.Schema{
			{Type: "integer", Minimum: json.Number("1")},
			{Type: "string", Enum: []any{"majority"}},
			{Type: "string", Pattern: `^[0-9]+(\.[0-9]+)?%$`},
		},
	}
}

// JSONSchema describes a duration such as "30m", "4h" or "2d".
func (Duration) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", Pattern: `^([0-9]+d|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$`, Description: `A duration such as "30m", "1h30m" or "2d".`}
}

// JSONSchema describes feeds: a list (any one suffices) or
// {feeds: [...], need: N}.
func (Feeds) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Description: "Feeds of which at least need (default 1) must be up: a list of ids, or {feeds: [ids], need: N}.",
		OneOf: []*jsonschema.Schema{
			idList(),
			object([]string{"feeds"}, "feeds", idList(), "need", &jsonschema.Schema{Type: "integer", Minimum: json.Number("1")}),
		},
	}
}

// JSONSchemaExtend gives the id of a component the id pattern.
func (Component) JSONSchemaExtend(s *jsonschema.Schema) { s.Properties.Set("id", idSchema) }

// JSONSchemaExtend gives the id of a service the id pattern.
func (Service) JSONSchemaExtend(s *jsonschema.Schema) { s.Properties.Set("id", idSchema) }

// JSONSchemaExtend gives the id of a feature the id pattern.
func (Feature) JSONSchemaExtend(s *jsonschema.Schema) { s.Properties.Set("id", idSchema) }

// JSONSchemaExtend allows the singular spellings of a selector's fields,
// each taking one value or a list.
func (Selector) JSONSchemaExtend(s *jsonschema.Schema) {
	oneOrMany := func(item *jsonschema.Schema) *jsonschema.Schema {
		return &jsonschema.Schema{OneOf: []*jsonschema.Schema{item, {Type: "array", Items: item}}}
	}
	str := &jsonschema.Schema{Type: "string"}
	tier := &jsonschema.Schema{Type: "integer", Minimum: json.Number("1")}
	for _, name := range []string{"ids", "products", "roles"} {
		s.Properties.Set(name, oneOrMany(str))
	}
	s.Properties.Set("tiers", oneOrMany(tier))
	s.Properties.Set("id", oneOrMany(str))
	s.Properties.Set("product", oneOrMany(str))
	s.Properties.Set("role", oneOrMany(str))
	s.Properties.Set("tier", oneOrMany(tier))
}
