package org.cnnc.compiler.parse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.cnnc.compiler.ast.CnnFile;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.diag.SourceFile;
import org.cnnc.grammar.CnnLexer;
import org.cnnc.grammar.CnnParser;

/** The only entry point of the front end: .cnn text in, AST out. */
public final class SourceParser {
    private SourceParser() {}

    /** Reads a file as UTF-8 text, rejecting files that are missing, empty or binary. */
    public static SourceFile read(Path path) {
        String name = path.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new CompileError(Pos.none(name), "no such file");
        } catch (IOException e) {
            throw new CompileError(Pos.none(name), "cannot read the file: " + e.getMessage());
        }
        return decode(name, bytes);
    }

    static SourceFile decode(String name, byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                throw new CompileError(Pos.none(name), "this is a binary file, not .cnn source text");
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new CompileError(Pos.none(name), "this file is not UTF-8 text, not .cnn source");
        }
        if (text.isBlank()) {
            throw new CompileError(Pos.none(name), "the file is empty: it declares no network");
        }
        return new SourceFile(name, text);
    }

    public static CnnFile parse(SourceFile source) {
        CnnLexer lexer = new CnnLexer(CharStreams.fromString(source.text(), source.name()));
        SyntaxErrors errors = new SyntaxErrors(source);
        lexer.removeErrorListeners();
        lexer.addErrorListener(errors);
        CnnParser parser = new CnnParser(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        parser.addErrorListener(errors);
        parser.getInterpreter().setPredictionMode(PredictionMode.LL);
        try {
            CnnParser.FileContext tree = parser.file();
            return new AstBuilder(source).file(tree);
        } catch (StackOverflowError e) {
            throw new CompileError(Pos.none(source.name()),
                    "the file nests brackets or expressions too deeply to be parsed");
        }
    }

    public static CnnFile parse(String name, String text) {
        return parse(new SourceFile(name, text));
    }
}
