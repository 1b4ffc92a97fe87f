package org.cnnc.compiler.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import org.cnnc.compiler.diag.CompileError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cnnc} command: subcommands for each task, errors as {@code file:line:col: message}. */
@Command(name = "cnnc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Compiles networks written in the .cnn language.%n"
                + "FILE|NAME is a .cnn file or the name of a stdlib network (see `cnnc list`).",
        subcommands = {CheckCommand.class, SummaryCommand.class, ExplainCommand.class, BuildCommand.class, EmitCommand.class, RunCommand.class,
                InitWeightsCommand.class, ExportCommand.class, ListCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_INPUT_ERROR = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_INTERNAL = 70;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CompileError ce) {
                err.println(ce.render());
                return EXIT_INPUT_ERROR;
            }
            err.println("cnnc: internal error: " + e);
            if (System.getenv("CNNC_DEBUG") != null) e.printStackTrace(err);
            else err.println("cnnc: this is a bug in cnnc; run again with CNNC_DEBUG=1 for details and report it");
            return EXIT_INTERNAL;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** cnnc's version, from the build. */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("/cnnc/version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"cnnc " + version() + " (Java " + Runtime.version() + ")"};
        }
    }
}
