using System.Collections.Generic;
using System.Linq;
using System.Threading;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>The constant data: static spans over RVA data, packed where a kernel reads them, or embedded weight files.</summary>
internal static partial class NetworkEmitter
{
    private static void WriteWeights(SourceWriter w, NetworkPlan plan, CancellationToken cancellationToken)
    {
        var stored = plan.Weights.Where(x => x.Storage != WeightStorage.Inline).ToList();
        if (stored.Count == 0)
        {
            return;
        }

        if (plan.Language == OutputLanguage.CSharp9)
        {
            w.Line("// Weights as static arrays, created once when the class is first used: C# 9 on this framework cannot");
            w.Line("// map a float array to the assembly's data, so each property returns a span over its array.");
        }
        else
        {
            w.Line("// Weights as static data: the compiler stores each array in the assembly's data section and the");
            w.Line("// property returns a span over it, so optimized code copies and allocates nothing, at start-up or per call.");
        }

        if (stored.Any(x => x.External is not null))
        {
            w.Line("// Tensors from weight files are resources the build embeds, read in place through EmbeddedTensor;");
            w.Line("// a matrix a kernel reads is packed once, on first use.");
        }
        using (w.Block("private static class Weights"))
        {
            for (int i = 0; i < stored.Count; i++)
            {
                var weight = stored[i];
                if (i > 0)
                {
                    w.Line();
                }

                string shape = string.Join(" × ", weight.Shape.Select(d => Literals.Int(d)));
                if (weight.External is { } file)
                {
                    WriteEmbedded(w, weight, file, shape, weight.Storage == WeightStorage.Packed);
                    continue;
                }

                if (weight.Storage == WeightStorage.Packed)
                {
                    int rows = weight.Shape[0], columns = weight.Shape[1];
                    w.Line($"/// <summary>{Literals.Xml(weight.Summary)}: {shape}, packed in panels of {Packing.PanelWidth} rows (one line per column of a panel; zeros pad the last panel).</summary>");
                    WriteArray(w, plan, weight.Name, Packing.Pack(weight.Values, rows, columns), Packing.PanelWidth, cancellationToken);
                    continue;
                }

                w.Line($"/// <summary>{Literals.Xml(weight.Summary)}: {shape}.</summary>");
                int columnCount = weight.Shape.Count == 2 ? weight.Shape[1] : weight.Values.Count;
                WriteArray(w, plan, weight.Name, weight.Values, columnCount, cancellationToken);
            }
        }
    }

    /// <summary>
    /// A tensor whose values the build embeds from a weight file: a span over the resource,
    /// or for a kernel's matrix, over the panels packed from it on first use.
    /// </summary>
    private static void WriteEmbedded(SourceWriter w, WeightPlan weight, ExternalData file, string shape, bool packed)
    {
        string field = "s_" + weight.Name;
        string where = $"{Literals.Xml(file.File)} (byte {Literals.Int(file.Offset)} on)";
        w.Line($"private static readonly {Runtime}.EmbeddedTensor {field} = new(typeof(Weights).Assembly, {Literals.String(file.ResourceName)}, {Literals.Int(file.Offset)}, {Literals.Int(weight.Count)});");
        w.Line();
        if (packed)
        {
            w.Line($"/// <summary>{Literals.Xml(weight.Summary)}: {shape}, read from {where} and packed in panels of {Packing.PanelWidth} rows on first use.</summary>");
            w.Line($"internal static {ReadOnlySpan} {weight.Name} => {field}.Packed({Literals.Int(weight.Shape[0])}, {Literals.Int(weight.Shape[1])});");
        }
        else
        {
            w.Line($"/// <summary>{Literals.Xml(weight.Summary)}: {shape}, read in place from {where}.</summary>");
            w.Line($"internal static {ReadOnlySpan} {weight.Name} => {field}.Values;");
        }
    }

    /// <summary>
    /// A property returning the values as a span: over the assembly's data in C# 12 (the
    /// compiler turns <c>ReadOnlySpan&lt;float&gt; =&gt; new float[] { ... }</c> into a span over RVA data), or
    /// over a static array in C# 9, where the same expression would allocate an array per read.
    /// </summary>
    private static void WriteArray(SourceWriter w, NetworkPlan plan, string name, IReadOnlyList<float> values, int columns, CancellationToken cancellationToken)
    {
        if (plan.Language == OutputLanguage.CSharp9)
        {
            w.Line($"internal static {ReadOnlySpan} {name} => s_{name};");
            w.Line();
            w.Line($"private static readonly float[] s_{name} = new float[]");
        }
        else
        {
            w.Line($"internal static {ReadOnlySpan} {name} => new float[]");
        }

        w.Line("{");
        WriteValues(w, values, columns, cancellationToken);
        w.Line("};");
    }

    /// <summary>Writes values a row per line (wrapped at 16 values), so a matrix reads as one.</summary>
    private static void WriteValues(SourceWriter w, IReadOnlyList<float> values, int columns, CancellationToken cancellationToken)
    {
        const int PerLine = 16;
        var line = new System.Text.StringBuilder();
        for (int start = 0; start < values.Count; start += columns)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int c = 0; c < columns; c++)
            {
                if (c > 0 && c % PerLine == 0)
                {
                    w.Line("    " + line.ToString().TrimEnd());
                    line.Clear();
                }

                line.Append(Literals.Float(values[start + c])).Append(", ");
            }

            w.Line("    " + line.ToString().TrimEnd());
            line.Clear();
        }
    }
}
