using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using NetGen.Generator.Emit;
using NetGen.Generator.Lowering;
using NetGen.Onnx;

namespace NetGen.Cli;

/// <summary>
/// The <c>netgen</c> command: <c>import</c>, <c>summary</c>, <c>trace</c> and <c>emit</c>.
/// Exit codes: 0 success, 1 a command line that does not parse, 2 bad input (a missing file,
/// a model or description that cannot be compiled), 3 a defect of NetGen; errors are one line
/// per problem on standard error.
/// </summary>
internal sealed class NetGenCli(TextWriter output, TextWriter error)
{
    /// <summary>The exit code for input NetGen cannot use.</summary>
    public const int BadInput = 2;

    /// <summary>The exit code for a defect of NetGen itself.</summary>
    public const int InternalError = 3;

    public int Run(string[] args)
    {
        var root = new RootCommand("NetGen: compiles fixed neural networks into C#. Converts ONNX models to netgen/1 descriptions and shows what a description compiles to.")
        {
            ImportCommand(),
            SummaryCommand(),
            PlanCommand(),
            TraceCommand(),
            EmitCommand(),
        };
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = true });
    }

    private Command ImportCommand()
    {
        var model = new Argument<string>("model") { Description = "The ONNX model to convert (model.onnx)." };
        var outputPath = new Option<string?>("--output", "-o") { Description = "The netgen/1 description to write; standard output when absent." };
        var graphOutput = new Option<string?>("--graph-output") { Description = "The graph output to compute, when the model computes several (ML-Agents' deterministic_continuous_actions, Godot RL's output); outputs that depend on no input become constants." };
        var command = new Command("import", "Convert an ONNX model to a netgen/1 description.") { model, outputPath, graphOutput };
        command.SetAction(parse => Guarded(() =>
        {
            string path = parse.GetValue(model)!;
            string json = OnnxImporter.ImportFile(path, parse.GetValue(graphOutput));
            string? target = parse.GetValue(outputPath);
            if (target is null)
            {
                output.Write(json);
                return 0;
            }

            // Check that the description compiles before writing it, so a written file is a usable one.
            var network = NetworkLoader.FromText(target, json);
            WriteFile(target, json);
            output.WriteLine($"Wrote {target}: {Count(network.Plan.InputSize, "input")}, {Count(network.Plan.OutputSize, "output")}, {Count(network.Plan.ParameterCount, "parameter")}.");
            return 0;
        }));
        return command;
    }

    private Command SummaryCommand()
    {
        var description = DescriptionArgument();
        var command = new Command("summary", "Print a network's layers: output size, parameters and multiply-adds, with totals.") { description };
        command.SetAction(parse => Guarded(() =>
        {
            var network = NetworkLoader.Load(parse.GetValue(description)!);
            output.WriteLine($"{network.Name}: {Count(network.Plan.InputSize, "input")}, {Count(network.Plan.OutputSize, "output")}, {Count(network.Plan.ParameterCount, "parameter")}");
            output.WriteLine();
            foreach (string line in SummaryTable.Lines(network.Plan))
            {
                output.WriteLine(line);
            }

            return 0;
        }));
        return command;
    }

    private Command PlanCommand()
    {
        var description = DescriptionArgument();
        var command = new Command("plan", "Print the generator's plan for a network: each step's strategy, fusions and placement, the scratch layout and how each weight is stored.") { description };
        command.SetAction(parse => Guarded(() =>
        {
            var network = NetworkLoader.Load(parse.GetValue(description)!);
            output.Write(PlanWriter.Write(network.Plan));
            return 0;
        }));
        return command;
    }

    private Command TraceCommand()
    {
        var description = DescriptionArgument();
        var values = new Argument<string[]>("input") { Description = "The input's values (InputSize numbers, invariant culture: 3 1 or -0.5 2e-3).", Arity = ArgumentArity.OneOrMore };
        var width = new Option<int>("--values") { Description = "How many values of each tensor to print (0: all).", DefaultValueFactory = _ => 0 };
        var command = new Command("trace", "Run a network on one input and print every layer's tensor, as the generated code computes it.") { description, values, width };
        command.SetAction(parse => Guarded(() =>
        {
            var network = NetworkLoader.Load(parse.GetValue(description)!);
            float[] input = ParseInput(parse.GetValue(values)!, network.Plan.InputSize);
            var trace = Tracer.Run(network, input);
            int shown = parse.GetValue(width);
            output.WriteLine($"{network.Name} on input [{string.Join(", ", input.Select(v => v.ToString("G9", CultureInfo.InvariantCulture)))}]:");
            int labelWidth = trace.Max(t => t.Math.Length);
            foreach (var (math, tensor) in trace)
            {
                output.WriteLine($"  {math.PadRight(labelWidth)}  [{tensor.Length.ToString(CultureInfo.InvariantCulture)}]  {Format(tensor, shown)}");
            }

            return 0;
        }));
        return command;
    }

    private Command EmitCommand()
    {
        var description = DescriptionArgument();
        var className = new Option<string?>("--class") { Description = "The class name (default: from the file name)." };
        var ns = new Option<string?>("--namespace") { Description = "The namespace (default: none)." };
        var command = new Command("emit", "Print the C# the generator writes for a network.") { description, className, ns };
        command.SetAction(parse => Guarded(() =>
        {
            var network = NetworkLoader.Load(parse.GetValue(description)!);
            output.Write(NetworkLoader.Emit(network, parse.GetValue(className), parse.GetValue(ns)));
            return 0;
        }));
        return command;
    }

    private static Argument<string> DescriptionArgument() =>
        new("description") { Description = "A netgen/1 description (*.netgen.json) or an ONNX model (*.onnx), imported on the fly." };

    /// <summary>Runs a command's body; bad input becomes one line on standard error and exit code 2.</summary>
    private int Guarded(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (CliException e)
        {
            foreach (string line in e.Lines)
            {
                error.WriteLine(e.CompilerFormat ? line : "error: " + line);
            }

            return BadInput;
        }
        catch (OnnxImportException e)
        {
            error.WriteLine("error: " + e.Message);
            return BadInput;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A defect of NetGen, not of the input: still one line, never a stack trace.
            error.WriteLine($"error: internal error ({e.GetType().Name}: {e.Message}); please report it");
            return InternalError;
        }
    }

    private static float[] ParseInput(string[] tokens, int size)
    {
        // Values may come as separate arguments or comma-separated: "3 1", "3,1", "[3, 1]".
        var parts = tokens.SelectMany(t => t.Split(new[] { ',', ' ', '[', ']' }, StringSplitOptions.RemoveEmptyEntries)).ToArray();
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
            {
                throw new CliException($"input value {i + 1} is '{parts[i]}'; expected a finite number such as 3, -0.5 or 2e-3");
            }
        }

        if (values.Length != size)
        {
            throw new CliException($"the network takes {Count(size, "input value")}; {values.Length} {(values.Length == 1 ? "was" : "were")} given");
        }

        return values;
    }

    private static void WriteFile(string path, string text)
    {
        try
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null)
            {
                Directory.CreateDirectory(folder);
            }

            File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: cannot write the file: {e.Message}");
        }
    }

    private static string Format(float[] values, int shown)
    {
        int count = shown <= 0 ? values.Length : Math.Min(shown, values.Length);
        string text = string.Join("  ", values.Take(count).Select(v => v.ToString("G6", CultureInfo.InvariantCulture)));
        return count < values.Length ? $"{text}  … ({values.Length - count} more)" : text;
    }

    private static string Count(long value, string noun) =>
        SummaryTable.Group(value) + " " + noun + (value == 1 ? string.Empty : "s");
}
