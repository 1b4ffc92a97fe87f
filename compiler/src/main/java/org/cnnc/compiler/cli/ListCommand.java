package org.cnnc.compiler.cli;

import java.util.concurrent.Callable;
import org.cnnc.compiler.StdLib;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the stdlib networks by NAME.")
final class ListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        StdLib.names().forEach(spec.commandLine().getOut()::println);
        return 0;
    }
}
