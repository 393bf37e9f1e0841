using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Lowering;

namespace NetGen.Generator.Emit;

/// <summary>The Cache struct and its inline tensor types.</summary>
internal static partial class NetworkEmitter
{
    private static void WriteCache(SourceWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>");
        w.Line("/// Every tensor one <see cref=\"Forward(global::System.ReadOnlySpan{float}, global::System.Span{float}, ref Cache)\"/> call computes,");
        w.Line("/// one field per layer output (an activation shorthand's input and output both), in order.");
        w.Line("/// Each field converts to a <see cref=\"global::System.Span{T}\"/> of its floats. The struct holds no");
        w.Line($"/// references and can live on the stack ({Literals.Int(plan.Tensors.Sum(t => (long)t.Size) * 4)} bytes).");
        w.Line("/// </summary>");
        using (w.Block("public struct Cache"))
        {
            for (int i = 0; i < plan.Tensors.Count; i++)
            {
                var t = plan.Tensors[i];
                if (i > 0)
                {
                    w.Line();
                }

                w.Line($"/// <summary>{Literals.Xml(t.Summary)} {Count(t.Size, "float")}.</summary>");
                w.Line($"public Tensor{Literals.Int(t.Size)} {Literals.Identifier(t.Name)};");
            }
        }

        w.Line();
    }

    private static void WriteTensorTypes(SourceWriter w, NetworkPlan plan)
    {
        foreach (int size in plan.Tensors.Select(t => t.Size).Distinct().OrderBy(s => s))
        {
            w.Line($"/// <summary>{Count(size, "float")} stored inline; converts to <see cref=\"global::System.Span{{T}}\"/>.</summary>");
            w.Line($"[global::System.Runtime.CompilerServices.InlineArray({Literals.Int(size)})]");
            using (w.Block($"public struct Tensor{Literals.Int(size)}"))
            {
                w.Line("private float _element0;");
            }

            w.Line();
        }
    }
}
