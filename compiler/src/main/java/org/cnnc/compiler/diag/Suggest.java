package org.cnnc.compiler.diag;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean" suggestions by edit distance. */
public final class Suggest {
    private Suggest() {}

    /** The candidate closest to {@code word}, or null when none is close enough to help. */
    public static String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = word.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            int d = distance(w, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int allowed = Math.max(1, Math.min(3, word.length() / 3));
        return bestDistance <= allowed ? best : null;
    }

    /** {@code "; did you mean 'x'?"} or an empty string. */
    public static String didYouMean(String word, Collection<String> candidates) {
        String c = closest(word, candidates);
        return c == null ? "" : "; did you mean '" + c + "'?";
    }

    /**
     * {@code "; did you mean 'x'?"} when a candidate is close, otherwise {@code "; <listName> are a, b, c"}
     * (or {@code "; there are none"} when there are no candidates).
     */
    public static String didYouMeanOrList(String word, Collection<String> candidates, String listName) {
        String c = closest(word, candidates);
        if (c != null) return "; did you mean '" + c + "'?";
        if (candidates.isEmpty()) return "; there are none";
        return "; " + listName + " are " + String.join(", ", candidates);
    }

    static int distance(String a, String b) {
        // Optimal string alignment: insertions, deletions, substitutions, and swaps of neighbours.
        int[] before = new int[b.length() + 1];
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    cur[j] = Math.min(cur[j], before[j - 2] + 1);
                }
            }
            int[] t = before; before = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
