using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using NetGen.Generator.Lowering;

namespace NetGen.Generator.Emit;

/// <summary>
/// Writes unrolled linear layers: straight-line scalar code with the weights as literals, zero
/// weights dropped, <c>1·x</c> and <c>−1·x</c> written as <c>x</c> and <c>−x</c>, and the
/// element-wise activation that reads the layer's output computed in the same method.
/// </summary>
/// <remarks>
/// Each output is summed in float32, left to right, in chains of at most
/// <see cref="Contract.BlockLength"/> products, as the kernels sum a block of columns; a longer row
/// adds its chains and its bias in double before the one rounding to float. That is the kernels'
/// accuracy contract (README.md, <i>Accuracy</i>) at scalar code's speed: a tiny network waits on
/// every operation of its sums, and a widening and a narrowing per layer cost N1 about 40% of its
/// time. The plain multiplies and adds give the same bits on every instruction set. A layer with
/// more than <see cref="MaxTermsPerMethod"/> terms is split into several methods, because
/// RyuJIT stops optimizing very large methods.
/// </remarks>
internal static class UnrolledEmitter
{
    /// <summary>
    /// Where the widening of each chain and the rounding of a long row's sum come from: the casts'
    /// values, without the scalar conversions' false register dependency (<c>SpecialFunctions.Widen</c>).
    /// </summary>
    private const string Functions = "global::NetGen.Runtime.SpecialFunctions";

    /// <summary>The most multiply-adds one generated method holds.</summary>
    public const int MaxTermsPerMethod = 4096;

    /// <summary>Layers with at most this many weights print them in the method's doc comment.</summary>
    private const int MaxPrintedWeights = 64;

    /// <summary>Methods with at most this many terms are marked for inlining into the core.</summary>
    private const int InlineTerms = 128;

    public static void WriteLayer(SourceWriter w, StepPlan step, StepPlan? activation, Dictionary<string, WeightPlan> weights, CancellationToken cancellationToken)
    {
        string name = step.Method;
        var weight = weights[step.Weights[0]];
        var bias = step.Weights[1].Length > 0 ? weights[step.Weights[1]] : null;
        int rows = weight.Shape[0], columns = weight.Shape[1];

        // Rows per method, within the term budget (a row is never split).
        var parts = new List<(int Start, int End)>();
        int start = 0, terms = 0;
        for (int r = 0; r < rows; r++)
        {
            int rowTerms = 0;
            for (int k = 0; k < columns; k++)
            {
                rowTerms += weight.Values[(r * columns) + k] != 0 ? 1 : 0;
            }

            if (r > start && terms + rowTerms > MaxTermsPerMethod)
            {
                parts.Add((start, r));
                start = r;
                terms = 0;
            }

            terms += rowTerms;
        }

        parts.Add((start, rows));
        string parameters = "global::System.ReadOnlySpan<float> x, global::System.Span<float> z" + (activation is null ? string.Empty : ", global::System.Span<float> a");
        string arguments = activation is null ? "x, z" : "x, z, a";
        string math = $"{step.Output} = {step.Weights[0]} · {step.Inputs[0]}" + (bias is null ? string.Empty : " + " + step.Weights[1])
            + (activation is null ? string.Empty : $"; {activation.Output} = {activation.Function!.Name}({step.Output})");
        w.Line($"/// <summary>layer {Literals.Comment(step.Layer)}: {Literals.Xml(math)}, {columns} → {rows}.</summary>");
        if (rows * columns <= MaxPrintedWeights)
        {
            // A small layer's constants in its doc comment, so the method reads like the lesson's matrices.
            w.Line("/// <remarks>");
            w.Line($"/// {step.Weights[0]} = {Literals.Xml(Matrix(weight.Values, rows, columns))}" + (bias is null ? "." : ";"));
            if (bias is not null)
            {
                w.Line($"/// {step.Weights[1]} = {Literals.Xml(Vector(bias.Values))}.");
            }

            w.Line("/// </remarks>");
        }

        if (parts.Count == 1)
        {
            if (terms <= InlineTerms)
            {
                w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            }

            using (w.Block($"internal static void {name}({parameters})"))
            {
                WriteRows(w, weight, bias, activation, 0, rows, cancellationToken);
            }

            return;
        }

        using (w.Block($"internal static void {name}({parameters})"))
        {
            for (int p = 0; p < parts.Count; p++)
            {
                w.Line($"{name}_{p}({arguments});");
            }
        }

        for (int p = 0; p < parts.Count; p++)
        {
            w.Line();
            w.Line($"// Outputs {parts[p].Start} to {parts[p].End - 1} of layer {Literals.Comment(step.Layer)}.");
            using (w.Block($"private static void {name}_{p}({parameters})"))
            {
                WriteRows(w, weight, bias, activation, parts[p].Start, parts[p].End, cancellationToken);
            }
        }
    }

    private static void WriteRows(SourceWriter w, WeightPlan weight, WeightPlan? bias, StepPlan? activation, int start, int end, CancellationToken cancellationToken) =>
        WriteRows(w, weight, bias, activation, start, end, k => $"x[{k}]", r => $"z[{r}]", r => $"a[{r}]", cancellationToken);

    /// <summary>
    /// Rows <paramref name="start"/> to <paramref name="end"/> of a layer: the inputs it reads
    /// read once (<c>x0</c>, <c>x1</c>, ...), each output's sum, then the fused
    /// activation, with <paramref name="input"/>, <paramref name="output"/> and
    /// <paramref name="activated"/> spelling where element <c>i</c> of each tensor lives.
    /// </summary>
    public static void WriteRows(SourceWriter w, WeightPlan weight, WeightPlan? bias, StepPlan? activation, int start, int end, Func<int, string> input, Func<int, string> output, Func<int, string> activated, CancellationToken cancellationToken)
    {
        int columns = weight.Shape[1];
        var used = new SortedSet<int>();
        for (int r = start; r < end; r++)
        {
            for (int k = 0; k < columns; k++)
            {
                if (weight.Values[(r * columns) + k] != 0)
                {
                    used.Add(k);
                }
            }
        }

        // The inputs this method reads, each once.
        var loads = used.Select(k => $"x{k} = {input(k)}").ToList();
        for (int i = 0; i < loads.Count; i += 8)
        {
            w.Line("float " + string.Join(", ", loads.Skip(i).Take(8)) + ";");
        }

        for (int r = start; r < end; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var terms = new List<string>();
            for (int k = 0; k < columns; k++)
            {
                float v = weight.Values[(r * columns) + k];
                if (v != 0)
                {
                    float magnitude = v < 0 ? -v : v;
                    terms.Add((v < 0 ? "-" : "+") + (magnitude == 1 ? $"x{k}" : $"{Literals.Float(magnitude)} * x{k}"));
                }
            }

            float b = bias?.Values[r] ?? 0f;
            string? shift = b == 0 ? null : (b < 0 ? "-" : "+") + Literals.Float(b < 0 ? -b : b);
            if (terms.Count <= Contract.BlockLength)
            {
                // One chain: the products and the bias summed in float, left to right.
                if (shift is not null)
                {
                    terms.Add(shift);
                }

                WriteSum(w, $"{output(r)} = ", terms.Count == 0 ? ["0f"] : Chain(terms), ";");
                continue;
            }

            // Chains of at most BlockLength products, each widened and added in double, the bias
            // last, then the one rounding to float.
            var pieces = new List<string>();
            for (int i = 0; i < terms.Count; i += Contract.BlockLength)
            {
                var chain = Chain(terms.Skip(i).Take(Contract.BlockLength).ToList());
                chain[0] = (i == 0 ? string.Empty : " + ") + $"{Functions}.Widen(" + chain[0];
                chain[chain.Count - 1] += ")";
                pieces.AddRange(chain);
            }

            if (shift is not null)
            {
                pieces.Add(Piece(shift, first: false));
            }

            WriteSum(w, $"{output(r)} = {Functions}.Narrow(", pieces, ");");
        }

        if (activation is not null)
        {
            for (int r = start; r < end; r++)
            {
                w.Line($"{activated(r)} = {activation.Function!.Scalar(output(r), activation.Arguments.Select(a => Literals.Float(a)).ToArray())};");
            }
        }
    }

    /// <summary>Signed terms (<c>+x0</c>, <c>-2f * x1</c>) as the pieces of a left-to-right sum: <c>x0</c>, <c> - 2f * x1</c>.</summary>
    private static List<string> Chain(IReadOnlyList<string> terms) => terms.Select((t, i) => Piece(t, first: i == 0)).ToList();

    /// <summary>One signed term as a piece of a sum: its sign alone first (<c>-x0</c>, <c>x0</c>), an operator after (<c> - x1</c>, <c> + 0.5f</c>).</summary>
    private static string Piece(string term, bool first) =>
        (first ? (term[0] == '-' ? "-" : string.Empty) : (term[0] == '-' ? " - " : " + ")) + term.Substring(1);

    /// <summary>One assignment, wrapped after every eighth piece of its sum so that wide rows stay readable.</summary>
    private static void WriteSum(SourceWriter w, string head, IReadOnlyList<string> pieces, string tail)
    {
        var line = new StringBuilder(head);
        for (int i = 0; i < pieces.Count; i++)
        {
            if (i > 0 && i % 8 == 0)
            {
                w.Line(line.ToString());
                line.Clear().Append("    ").Append(pieces[i].TrimStart());
                continue;
            }

            line.Append(pieces[i]);
        }

        w.Line(line.Append(tail).ToString());
    }

    /// <summary>Values as a matrix literal, a row per bracket: <c>[[1, 0], [-1, 1]]</c>.</summary>
    private static string Matrix(IReadOnlyList<float> values, int rows, int columns) =>
        "[" + string.Join(", ", Enumerable.Range(0, rows).Select(r => Vector(values.Skip(r * columns).Take(columns).ToList()))) + "]";

    /// <summary>Values as a vector literal: <c>[0.1, -0.2]</c>.</summary>
    private static string Vector(IReadOnlyList<float> values) => "[" + string.Join(", ", values.Select(v => Literals.Float(v).TrimEnd('f'))) + "]";
}
