// A function a speed task is about, in a package of the test's choosing: Join with += on a string
// (a copy of the whole result per word) and with a strings.Builder, and its benchmark.

export const slowJoin = (pkg: string) => `package ${pkg}

// Join puts the words one after another, separated by sep.
func Join(words []string, sep string) string {
	out := ""
	for i, w := range words {
		if i > 0 {
			out += sep
		}
		out += w
	}
	return out
}
`;

export const fastJoin = (pkg: string) => `package ${pkg}

import "strings"

// Join puts the words one after another, separated by sep.
func Join(words []string, sep string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(w)
	}
	return b.String()
}
`;

/** A test of Join's behaviour and a benchmark over 500 words. */
export const joinTests = (pkg: string) => `package ${pkg}

import "testing"

func TestJoin(t *testing.T) {
	if got := Join([]string{"a", "b"}, ","); got != "a,b" {
		t.Fatalf("Join = %q", got)
	}
}

func BenchmarkJoin(b *testing.B) {
	words := make([]string, 500)
	for i := range words {
		words[i] = "word"
	}
	for i := 0; i < b.N; i++ {
		_ = Join(words, ",")
	}
}
`;
