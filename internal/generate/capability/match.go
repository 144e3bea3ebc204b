package capability

import (
	"slices"
)

// Match is an entry chosen for a need.
type Match struct {
	Entry *Entry
	// Phrase is the phrase that matched best.
	Phrase string
	// Score is higher for a better match: the share of the phrase's words
	// found in the need, weighted by how many there are, plus service hints.
	Score float64
}

// minScore is what a match needs to count: every word of a one-word phrase,
// or most of a longer one together with a service hint.
const minScore = 1.0

// Find chooses the entries a need asks for, best first. Usually one; a
// need naming two things ("read secrets and send email") gets one entry for
// each, as long as each explains words the others do not. Nil means no
// entry fits and the caller should search the action descriptions.
func Find(need string) []Match {
	words := Tokens(need)
	if len(words) == 0 {
		return nil
	}
	remaining := slices.Clone(words)
	var out []Match
	for len(out) < 3 {
		best, used := bestMatch(remaining, words, len(out) > 0)
		if best.Entry == nil || best.Score < minScore {
			break
		}
		if slices.ContainsFunc(out, func(m Match) bool { return m.Entry == best.Entry }) {
			break
		}
		out = append(out, best)
		remaining = slices.DeleteFunc(remaining, func(w string) bool { return slices.Contains(used, w) })
		if len(remaining) == 0 {
			break
		}
	}
	return out
}

// bestMatch scores every entry against the words still unexplained
// (phrases) and the whole need (service hints), and returns the words the
// winner explains. fullOnly asks for a whole phrase (for second picks).
func bestMatch(words, all []string, fullOnly bool) (Match, []string) {
	var best Match
	var bestUsed []string
	// Services the need names; an entry of another service is penalised.
	named := map[string]bool{}
	for _, e := range Entries() {
		for _, h := range e.hintTokens {
			if containsAll(all, h) {
				named[e.Service] = true
			}
		}
	}
	for _, e := range Entries() {
		hint, hintUsed := 0.0, []string(nil)
		for _, h := range e.hintTokens {
			if containsAll(all, h) {
				hint = 0.5
				hintUsed = append(hintUsed, h...)
			}
		}
		for i, p := range e.phraseTokens {
			found := 0
			var used []string
			for _, w := range p {
				if slices.Contains(words, w) {
					found++
					used = append(used, w)
				}
			}
			if found == 0 {
				continue
			}
			coverage := float64(found) / float64(len(p))
			if fullOnly && coverage < 1 {
				continue // a second capability must be asked for in full
			}
			score := coverage*(1+0.15*float64(found)) + hint
			if coverage < 1 && hint == 0 {
				score /= 2 // a partial phrase with no word of the service is weak
			}
			if len(named) > 0 && !named[e.Service] {
				score -= 0.75
			}
			if score > best.Score {
				best = Match{Entry: e, Phrase: e.Phrases[i], Score: score}
				bestUsed = append(used, hintUsed...)
			}
		}
	}
	return best, bestUsed
}

func containsAll(words, want []string) bool {
	for _, w := range want {
		if !slices.Contains(words, w) {
			return false
		}
	}
	return len(want) > 0
}
