package org.cnnc.compiler.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.diag.SourceFile;
import org.cnnc.grammar.CnnLexer;
import org.cnnc.grammar.CnnParser;

/** Turns ANTLR's first syntax error into a {@link CompileError} that names what was expected. */
final class SyntaxErrors extends BaseErrorListener {
    private static final Map<String, String> READABLE = Map.ofEntries(
            Map.entry("ARROW", "'->'"), Map.entry("LPAREN", "'('"), Map.entry("RPAREN", "')'"),
            Map.entry("LBRACK", "'['"), Map.entry("RBRACK", "']'"), Map.entry("LBRACE", "'{'"),
            Map.entry("RBRACE", "'}'"), Map.entry("COMMA", "','"), Map.entry("COLON", "':'"),
            Map.entry("PIPE", "'|'"), Map.entry("QUESTION", "'?'"), Map.entry("DOT", "'.'"),
            Map.entry("ASSIGN", "'='"), Map.entry("STAR", "'*'"), Map.entry("PLUS", "'+'"),
            Map.entry("MINUS", "'-'"), Map.entry("SLASH", "'/'"), Map.entry("FLOORDIV", "'//'"),
            Map.entry("PERCENT", "'%'"), Map.entry("CARET", "'^'"), Map.entry("EQ", "'=='"),
            Map.entry("NE", "'!='"), Map.entry("LT", "'<'"), Map.entry("LE", "'<='"),
            Map.entry("GT", "'>'"), Map.entry("GE", "'>='"), Map.entry("ID", "a name"),
            Map.entry("INT", "a number"), Map.entry("FLOAT", "a number"),
            Map.entry("DIMS", "dimensions such as 3x224x224"), Map.entry("EOF", "end of file"));

    private final SourceFile source;

    SyntaxErrors(SourceFile source) {
        this.source = source;
    }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col,
                            String antlrMessage, RecognitionException e) {
        Pos pos = new Pos(source, line, col + 1);
        if (!(recognizer instanceof Parser parser)) {
            throw new CompileError(pos, "unexpected character: " + antlrMessage);
        }
        Token token = (Token) offending;
        if (token != null && token.getType() == Token.EOF) pos = endOfLastToken(parser, pos);
        String found = describeFound(token);
        if (token != null && token.getType() == CnnLexer.UNKNOWN_CHAR) {
            throw new CompileError(pos, "unexpected character " + found);
        }
        IntervalSet expected = e instanceof NoViableAltException ? null
                : e instanceof InputMismatchException || e == null ? parser.getExpectedTokens() : e.getExpectedTokens();
        if (expected != null && startsElement(token) && chainCouldGoOn(parser, expected)) {
            expected = new IntervalSet().addAll(expected);
            expected.add(CnnLexer.ARROW);
        }
        String message = "unexpected " + found;
        if (expected != null && !expected.isNil()) {
            message += "; expected " + describeExpected(expected, parser);
        }
        throw new CompileError(pos, message);
    }

    /** Where the file ends early, the place just after its last token: a line that can be shown. */
    private Pos endOfLastToken(Parser parser, Pos eof) {
        Token last = parser.getTokenStream().LT(-1);
        if (last == null || last.getType() == Token.EOF || last.getText().contains("\n")) return eof;
        return new Pos(source, last.getLine(), last.getCharPositionInLine() + last.getText().length() + 1);
    }

    private static boolean startsElement(Token token) {
        if (token == null) return false;
        int t = token.getType();
        return t == CnnLexer.ID || t == CnnLexer.LBRACK || t == CnnLexer.ADD || t == CnnLexer.CONCAT
                || t == CnnLexer.INPUT;
    }

    /**
     * True where a chain has just ended and a '->' would have continued it: the parser then
     * expects only what closes the chain, but an element in that place means a missing '->'.
     */
    private static boolean chainCouldGoOn(Parser parser, IntervalSet expected) {
        ParserRuleContext ctx = parser.getContext();
        if (ctx instanceof CnnParser.NetworkDeclContext || ctx instanceof CnnParser.GroupContext
                || ctx instanceof CnnParser.AddBranchesContext || ctx instanceof CnnParser.ConcatBranchesContext) {
            return expected.contains(CnnLexer.RBRACE) || expected.contains(CnnLexer.RBRACK)
                    || expected.contains(CnnLexer.PIPE);
        }
        if (ctx instanceof CnnParser.FileContext file && file.getChildCount() > 0
                && file.getChild(file.getChildCount() - 1) instanceof CnnParser.DeclarationContext last) {
            return last.blockDecl() != null;
        }
        return false;
    }

    private static String describeFound(Token token) {
        if (token == null) return "input";
        if (token.getType() == Token.EOF) return "end of file";
        return "'" + token.getText() + "'";
    }

    private static String describeExpected(IntervalSet expected, Parser parser) {
        TreeSet<String> names = new TreeSet<>();
        for (int type : expected.toList()) {
            String symbolic = parser.getVocabulary().getSymbolicName(type);
            if (type == Token.EOF) symbolic = "EOF";
            if (symbolic == null) continue;
            String readable = READABLE.get(symbolic);
            names.add(readable != null ? readable : "'" + symbolic.toLowerCase() + "'");
        }
        List<String> list = new ArrayList<>(names);
        if (list.size() == 1) return list.get(0);
        if (list.size() > 8) return "one of " + String.join(", ", list.subList(0, 8)) + ", ...";
        return "one of " + String.join(", ", list);
    }
}
