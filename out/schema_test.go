package out

import (
	"testing"

	"github.com/blast-dev/blast/internal/golden"
)

func TestSimulationSchemaUpToDate(t *testing.T) {
	golden.CheckFile(t, "simulate.schema.json", SimulationSchema())
}
