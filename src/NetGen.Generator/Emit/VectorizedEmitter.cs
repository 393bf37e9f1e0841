using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Lowering;

namespace NetGen.Generator.Emit;

/// <summary>
/// Writes vectorized linear layers: a loop per vector width over the layer's weights packed at
/// build time in panels of 16 rows (the layout of <c>NetGen.Runtime.PackedLinear</c>), with the
/// layer's sizes as constants, several panels per pass so each broadcast input feeds several
/// independent chains, and a scalar path for machines without SIMD.
/// </summary>
/// <remarks>
/// Each output is summed exactly as the runtime's kernels sum it (float32 fused multiply-adds over
/// blocks of <see cref="BlockLength"/> columns, each block's sum added in double, the bias added
/// in double before the one rounding), through the same <c>NetGen.Runtime.Simd</c> steps, so a
/// vectorized layer gives the kernel's bits on every width, and <c>ForwardBatch</c> can run it
/// through the matrix-matrix kernel and still match <c>Forward</c>.
/// </remarks>
internal static class VectorizedEmitter
{
    /// <summary>As <c>NetGen.Runtime.PackedLinear.BlockLength</c> (both are <see cref="Contract.BlockLength"/>).</summary>
    private const int BlockLength = Contract.BlockLength;

    private const string Runtime = "global::NetGen.Runtime";
    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";

    /// <summary>The vectors of each width, widest first: type, lanes, and the panels one pass holds (four chains in all).</summary>
    private static readonly (string Type, int Lanes, int PanelsPerPass)[] Widths =
    {
        ("Vector512", 16, 4),
        ("Vector256", 8, 2),
        ("Vector128", 4, 1),
    };

    /// <summary>The comment that says how the layer's stores apply <paramref name="activation"/>.</summary>
    private static string FusionComment(StepPlan activation) =>
        $"// {activation.Function!.Name}({activation.Inputs[0]}) is fused into the stores: each panel is written to z and, through the runtime's {activation.Function.Name} in registers, to a.";

    /// <param name="w">The writer.</param>
    /// <param name="step">The linear step.</param>
    /// <param name="activation">The activation fused into the stores (<see cref="Fusion.Forward"/>), if any: the method then writes it too.</param>
    /// <param name="weights">The plan's constant data by name.</param>
    public static void WriteLayer(SourceWriter w, StepPlan step, StepPlan? activation, Dictionary<string, WeightPlan> weights)
    {
        string name = step.Method;
        var weight = weights[step.Weights[0]];
        int rows = weight.Shape[0], columns = weight.Shape[1];
        int panels = (rows + Packing.PanelWidth - 1) / Packing.PanelWidth;
        string bias = step.Weights[1].Length > 0 ? "Weights." + step.Weights[1] : "default";
        string math = $"{step.Output} = {step.Weights[0]} · {step.Inputs[0]}" + (step.Weights[1].Length > 0 ? " + " + step.Weights[1] : string.Empty);
        string then = activation is null ? string.Empty : $"; then {activation.Output} = {activation.Function!.Name}({activation.Inputs[0]}) in the same stores";
        string outputs = activation is null ? "z" : "z, a";
        string epilogue = activation is null ? string.Empty : $", {Runtime}.Epilogue.{activation.Function!.Epilogue}";
        w.Line($"/// <summary>layer {Literals.Comment(step.Layer)}: {Literals.Xml(math)}, {columns} → {rows}, over {SummaryTable.Group(panels)} packed panel{(panels == 1 ? string.Empty : "s")} of {Packing.PanelWidth} rows{Literals.Xml(then)}.</summary>");
        string parameters = activation is null ? string.Empty : ", global::System.Span<float> a";
        using (w.Block($"internal static void {name}(global::System.ReadOnlySpan<float> x, global::System.Span<float> z{parameters})"))
        {
            if (activation is not null)
            {
                w.Line(FusionComment(activation));
            }

            w.Line($"ref float w = ref {MemoryMarshal}.GetReference(Weights.{step.Weights[0]});");
            w.Line($"ref float rx = ref {MemoryMarshal}.GetReference(x);");
            w.Line($"global::System.Span<double> sums = stackalloc double[{Literals.Int(Packing.PanelWidth * Widths.Max(x => x.PanelsPerPass))}];");
            for (int i = 0; i < Widths.Length; i++)
            {
                var (type, lanes, perPass) = Widths[i];
                using (w.Block($"{(i == 0 ? "if" : "else if")} (global::System.Runtime.Intrinsics.{type}.IsHardwareAccelerated)"))
                {
                    int whole = panels / perPass * perPass;
                    int chains = (whole > 0 ? perPass : panels) * (Packing.PanelWidth / lanes);
                    bool onePass = whole == 0 || (whole == perPass && panels == whole);
                    string passes = onePass
                        ? $"One pass over {Plural(panels, "panel")} ({Plural(rows, "output")})"
                        : $"{Plural(whole / perPass, "pass")} of {Plural(perPass, "panel")} ({Literals.Int(perPass * Packing.PanelWidth)} outputs)"
                            + (panels > whole ? $", then one over the last {Plural(panels - whole, "panel")}" : string.Empty);
                    w.Line($"// {passes}: {Plural(chains, "chain")} of {lanes}-lane multiply-adds {(chains == 1 ? "takes" : "share")} each broadcast x[j];");
                    w.Line(columns > BlockLength
                        ? $"// each block of {BlockLength} columns is summed in float, then added in double to sums."
                        : $"// the {Plural(columns, "column")} are summed in float, then added in double to sums.");
                    if (whole > perPass)
                    {
                        using (w.Block($"for (int p = 0; p < {Literals.Int(whole)}; p += {perPass})"))
                        {
                            WritePass(w, type, lanes, perPass, columns, bias, outputs, epilogue);
                        }
                    }
                    else if (whole == perPass)
                    {
                        WriteFixedPass(w, 0, type, lanes, perPass, columns, bias, outputs, epilogue);
                    }

                    if (panels > whole)
                    {
                        if (whole > 0)
                        {
                            w.Line($"// Outputs {Literals.Int(whole * Packing.PanelWidth)} to {Literals.Int(rows - 1)}.");
                        }

                        WriteFixedPass(w, whole, type, lanes, panels - whole, columns, bias, outputs, epilogue);
                    }
                }
            }

            using (w.Block("else"))
            {
                w.Line("// No SIMD: a product of a float and a double is exact, so each panel is summed in double throughout.");
                using (w.Block($"for (int p = 0; p < {Literals.Int(panels)}; p++)"))
                {
                    w.Line($"ref float wp = ref {Unsafe}.Add(ref w, p * {Literals.Int(Packing.PanelWidth * columns)});");
                    w.Line($"sums.Slice(0, {Packing.PanelWidth}).Clear();");
                    using (w.Block($"for (int k = 0; k < {Literals.Int(columns)}; k++)"))
                    {
                        w.Line($"double xk = {Unsafe}.Add(ref rx, k);");
                        using (w.Block($"for (int l = 0; l < {Packing.PanelWidth}; l++)"))
                        {
                            w.Line($"sums[l] += {Unsafe}.Add(ref wp, (k * {Packing.PanelWidth}) + l) * xk;");
                        }
                    }

                    w.Line($"{Runtime}.Simd.StorePanel(sums.Slice(0, {Packing.PanelWidth}), {bias}, {outputs}, p * {Packing.PanelWidth}{epilogue});");
                }
            }
        }
    }

    private static string Plural(int count, string noun) =>
        Literals.Int(count) + " " + noun + (count == 1 ? string.Empty : noun.EndsWith("s", System.StringComparison.Ordinal) ? "es" : "s");

    /// <summary>A pass at a panel known at build time, in a block of its own.</summary>
    private static void WriteFixedPass(SourceWriter w, int first, string type, int lanes, int panels, int columns, string bias, string outputs, string epilogue)
    {
        using (w.Block(string.Empty))
        {
            w.Line($"const int p = {Literals.Int(first)};");
            WritePass(w, type, lanes, panels, columns, bias, outputs, epilogue);
        }
    }

    /// <summary>
    /// One pass over <paramref name="panels"/> consecutive panels starting at panel <c>p</c>: the
    /// block loop, the chains' multiply-adds, and the panels' stores into <paramref name="outputs"/>
    /// (with the fused activation's <paramref name="epilogue"/> argument, if any).
    /// </summary>
    private static void WritePass(SourceWriter w, string type, int lanes, int panels, int columns, string bias, string outputs, string epilogue)
    {
        string vector = $"global::System.Runtime.Intrinsics.{type}";
        int panelLength = Packing.PanelWidth * columns;
        int perPanel = Packing.PanelWidth / lanes;
        int chains = panels * perPanel;
        var names = Enumerable.Range(0, chains).Select(c => "c" + c).ToList();
        w.Line($"ref float wp = ref {Unsafe}.Add(ref w, p * {Literals.Int(panelLength)});");
        w.Line($"sums.Slice(0, {panels * Packing.PanelWidth}).Clear();");
        w.Line($"ref double s = ref {MemoryMarshal}.GetReference(sums);");
        // A layer of at most one block needs no block loop.
        bool blocks = columns > BlockLength;
        using (blocks ? w.Block($"for (int k = 0; k < {Literals.Int(columns)}; k += {BlockLength})") : null)
        {
            w.Line($"{vector}<float> {string.Join(", ", names.Select(n => n + " = default"))};");
            string loop = !blocks ? $"for (int j = 0; j < {Literals.Int(columns)}; j++)"
                : columns % BlockLength == 0 ? $"for (int j = k; j < k + {BlockLength}; j++)"
                : $"for (int j = k; j < global::System.Math.Min(k + {BlockLength}, {Literals.Int(columns)}); j++)";
            using (w.Block(loop))
            {
                w.Line($"var xj = {vector}.Create({Unsafe}.Add(ref rx, j));");
                w.Line($"nuint at = (nuint)j * {Packing.PanelWidth};");
                for (int c = 0; c < chains; c++)
                {
                    int offset = (c / perPanel * panelLength) + (c % perPanel * lanes);
                    string index = offset == 0 ? "at" : $"at + {Literals.Int(offset)}";
                    w.Line($"{names[c]} = {Runtime}.Simd.MultiplyAdd({vector}.LoadUnsafe(ref wp, {index}), xj, {names[c]});");
                }
            }

            w.Line();
            for (int c = 0; c < chains; c++)
            {
                int offset = (c / perPanel * Packing.PanelWidth) + (c % perPanel * lanes);
                w.Line(offset == 0 ? $"{Runtime}.Simd.AddTo(ref s, {names[c]});" : $"{Runtime}.Simd.AddTo(ref {Unsafe}.Add(ref s, {offset}), {names[c]});");
            }
        }

        w.Line();
        for (int q = 0; q < panels; q++)
        {
            string row = q == 0 ? $"p * {Packing.PanelWidth}" : $"(p + {q}) * {Packing.PanelWidth}";
            w.Line($"{Runtime}.Simd.StorePanel(sums.Slice({q * Packing.PanelWidth}, {Packing.PanelWidth}), {bias}, {outputs}, {row}{epilogue});");
        }
    }
}
