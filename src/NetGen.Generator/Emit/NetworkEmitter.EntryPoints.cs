using NetGen.Generator.Lowering;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>The public entry points: Forward, Forward with a Cache, ForwardBatch, and their scratch.</summary>
internal static partial class NetworkEmitter
{
    private static void WriteForward(SourceWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>Runs the network on one sample.</summary>");
        w.Line("/// <param name=\"input\">The sample: <see cref=\"InputSize\"/> floats.</param>");
        w.Line("/// <param name=\"output\">Receives the <see cref=\"OutputSize\"/> outputs; must not overlap <paramref name=\"input\"/>.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length, or the two overlap.</exception>");
        using (w.Block($"public static void Forward({ReadOnlySpan} input, {Span} output)"))
        {
            w.Line($"{Runtime}.Guard.Length(input.Length, InputSize, nameof(input));");
            w.Line($"{Runtime}.Guard.Length(output.Length, OutputSize, nameof(output));");
            w.Line($"{Runtime}.Guard.NoOverlap(input, output, nameof(input), nameof(output));");
            if (plan.InLocals)
            {
                w.Line("ForwardInLocals(input, output);");
            }
            else
            {
                WriteScratch(w, plan);
                WriteCoreCall(w, plan, "input", "output");
            }
        }

        w.Line();
    }

    private static void WriteForwardWithCache(SourceWriter w, NetworkPlan plan)
    {
        string last = plan.OutputTensor;
        w.Line("/// <summary>Runs the network on one sample and records every intermediate tensor in <paramref name=\"cache\"/>.</summary>");
        w.Line("/// <param name=\"input\">The sample: <see cref=\"InputSize\"/> floats.</param>");
        w.Line("/// <param name=\"output\">Receives the <see cref=\"OutputSize\"/> outputs; must not overlap <paramref name=\"input\"/>.</param>");
        w.Line("/// <param name=\"cache\">Receives the output of every layer (see <see cref=\"Cache\"/>).</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length, or the two overlap.</exception>");
        bool cacheIsClass = plan.Language == OutputLanguage.CSharp9;
        if (cacheIsClass)
        {
            w.Line("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"cache\"/> is null.</exception>");
        }

        using (w.Block($"public static void Forward({ReadOnlySpan} input, {Span} output, ref Cache cache)"))
        {
            if (cacheIsClass)
            {
                w.Line("if (cache is null)");
                w.Line("{");
                w.Line("    throw new global::System.ArgumentNullException(nameof(cache));");
                w.Line("}");
                w.Line();
            }

            w.Line($"{Runtime}.Guard.Length(input.Length, InputSize, nameof(input));");
            w.Line($"{Runtime}.Guard.Length(output.Length, OutputSize, nameof(output));");
            w.Line($"{Runtime}.Guard.NoOverlap(input, output, nameof(input), nameof(output));");
            w.Line("ForwardCore(");
            w.Line("    input,");
            for (int i = 0; i < plan.Tensors.Count; i++)
            {
                w.Line($"    cache.{Literals.Identifier(plan.Tensors[i].Name)}{(i == plan.Tensors.Count - 1 ? ");" : ",")}");
            }

            w.Line($"(({ReadOnlySpan})cache.{Literals.Identifier(last)}).CopyTo(output);");
        }

        w.Line();
    }

    private static void WriteForwardBatch(SourceWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>Runs the network on each row of a row-major batch <c>[rows, InputSize]</c>; zero rows do nothing.</summary>");
        w.Line("/// <param name=\"inputs\">The samples, one after another: a multiple of <see cref=\"InputSize\"/> floats.</param>");
        w.Line("/// <param name=\"outputs\">Receives <see cref=\"OutputSize\"/> outputs per row, for as many rows as <paramref name=\"inputs\"/> has.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The lengths are not whole rows, disagree on the row count, or overlap.</exception>");
        using (w.Block($"public static void ForwardBatch({ReadOnlySpan} inputs, {Span} outputs)"))
        {
            w.Line($"int rows = {Runtime}.Guard.BatchRows(inputs.Length, outputs.Length, InputSize, OutputSize, nameof(inputs), nameof(outputs));");
            w.Line($"{Runtime}.Guard.NoOverlap(inputs, outputs, nameof(inputs), nameof(outputs));");
            if (!plan.HasBatchCore)
            {
                // Every layer is unrolled: one sample at a time is already the fastest order.
                WriteScratch(w, plan);
                using (w.Block("for (int row = 0; row < rows; row++)"))
                {
                    if (plan.InLocals)
                    {
                        w.Line("ForwardInLocals(inputs.Slice(row * InputSize, InputSize), outputs.Slice(row * OutputSize, OutputSize));");
                    }
                    else
                    {
                        WriteCoreCall(w, plan, "inputs.Slice(row * InputSize, InputSize)", "outputs.Slice(row * OutputSize, OutputSize)");
                    }
                }
            }
            else
            {
                // Up to BatchRows samples at a time, each layer over all of them, so a weight is
                // loaded once per block of samples (matrix-matrix kernels) rather than per sample.
                long length = (long)plan.BatchRows * plan.ScratchLength;
                if (length > 0)
                {
                    w.Line(length <= StackLimit
                        ? $"{Span} scratch = stackalloc float[BatchRows * ScratchLength];"
                        : $"{Span} scratch = {Runtime}.Scratch.ForThread(BatchRows * ScratchLength);");
                }

                using (w.Block("for (int start = 0; start < rows; start += BatchRows)"))
                {
                    w.Line("int count = global::System.Math.Min(BatchRows, rows - start);");
                    w.Line($"ForwardBatchCore(count, inputs.Slice(start * InputSize, count * InputSize), outputs.Slice(start * OutputSize, count * OutputSize){(length > 0 ? ", scratch" : string.Empty)});");
                }
            }
        }

        w.Line();
    }

    private static void WriteParallelForwardBatch(SourceWriter w)
    {
        w.Line("/// <summary>");
        w.Line("/// Runs the network on each row of a row-major batch as <see cref=\"ForwardBatch(global::System.ReadOnlySpan{float}, global::System.Span{float})\"/> does,");
        w.Line("/// with the rows split across up to <paramref name=\"threads\"/> threads: the same outputs, bit for bit.");
        w.Line("/// A share has at least 16 rows, so a smaller batch runs on the calling thread alone; after the first");
        w.Line("/// call, which starts NetGen's worker threads, nothing is allocated (see <see cref=\"global::NetGen.Runtime.ParallelBatch\"/>).");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"inputs\">The samples, one after another: a multiple of <see cref=\"InputSize\"/> floats.</param>");
        w.Line("/// <param name=\"outputs\">Receives <see cref=\"OutputSize\"/> outputs per row, for as many rows as <paramref name=\"inputs\"/> has.</param>");
        w.Line("/// <param name=\"threads\">The most threads to use, the calling thread included: at least 1; more than the machine's processors count as that many.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The lengths are not whole rows, disagree on the row count, or overlap.</exception>");
        w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"threads\"/> is less than 1.</exception>");
        using (w.Block($"public static void ForwardBatch({ReadOnlySpan} inputs, {Span} outputs, int threads)"))
        {
            w.Line($"{Runtime}.Guard.NoOverlap(inputs, outputs, nameof(inputs), nameof(outputs));");
            w.Line($"{Runtime}.ParallelBatch.Run(inputs, outputs, InputSize, OutputSize, threads, s_forwardBatch);");
        }

        w.Line();
        w.Line($"private static readonly {Runtime}.ParallelBatch.RowsAction s_forwardBatch = ForwardBatch;");
        w.Line();
    }

    private static void WriteScratch(SourceWriter w, NetworkPlan plan)
    {
        if (plan.ScratchLength == 0)
        {
            return;
        }

        if (plan.ScratchLength <= StackLimit)
        {
            w.Line($"{Span} scratch = stackalloc float[ScratchLength];");
        }
        else
        {
            // Too large for the stack: a per-thread buffer, allocated on the thread's first call.
            w.Line($"{Span} scratch = {Runtime}.Scratch.ForThread(ScratchLength);");
        }
    }

    private static void WriteCoreCall(SourceWriter w, NetworkPlan plan, string input, string output)
    {
        w.Line("ForwardCore(");
        w.Line($"    {input},");
        for (int i = 0; i < plan.Tensors.Count; i++)
        {
            var t = plan.Tensors[i];
            string argument = t.ScratchOffset < 0 ? output : $"scratch.Slice({Literals.Int(t.ScratchOffset)}, {Literals.Int(t.Size)})";
            string end = i == plan.Tensors.Count - 1 ? ");" : ",";
            w.Line($"    {argument}{end}".PadRight(48) + $" // {t.Name}");
        }
    }
}
