// Command blast answers: if this site, building, power feed or rack goes
// dark, which user features fail, why, and for how many people?
package main

import (
	"os"

	"github.com/blast-dev/blast/cmd"
)

func main() {
	os.Exit(cmd.Main(os.Args[1:], cmd.System()))
}
