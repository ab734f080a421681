// Package num formats numbers for people.
package num

import (
	"strconv"
	"strings"
)

// Count formats n with thousands separators: 47,000,000.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Plural returns one when n is 1, else many: Plural(n, "finding", "findings").
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
