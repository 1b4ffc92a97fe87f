package org.cnnc.compiler.elaborate;

import java.util.HashMap;
import java.util.Map;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;

/**
 * A naming scope, as an nn.Sequential numbers its children: every element takes the next
 * index, and a label replaces the index in that element's name.
 */
final class Scope {
    private final String prefix;
    private int next;
    private Map<String, Pos> used = new HashMap<>();

    private Scope(String prefix) {
        this.prefix = prefix;
    }

    static Scope root() {
        return new Scope("");
    }

    /** Takes the next index and returns the element's full dotted name. */
    String claim(String label, Pos pos) {
        int index = next++;
        String local = label != null ? label : Integer.toString(index);
        Pos before = used.putIfAbsent(local, pos);
        if (before != null) {
            String where = before.known() ? " (first used at line " + before.line() + ", column " + before.col() + ")" : "";
            throw new CompileError(pos, "the name '" + prefix + local + "' is used twice in this scope" + where);
        }
        return prefix + local;
    }

    Scope child(String fullName) {
        return new Scope(fullName + ".");
    }

    /** Where nameless nodes (add, concat) say they are: the scope's own name. */
    String place(String what) {
        return prefix + what;
    }

    record Mark(int next, Map<String, Pos> used) {}

    Mark mark() {
        return new Mark(next, new HashMap<>(used));
    }

    void reset(Mark mark) {
        next = mark.next();
        used = new HashMap<>(mark.used());
    }
}
