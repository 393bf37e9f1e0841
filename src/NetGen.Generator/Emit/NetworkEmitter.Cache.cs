using System.Linq;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>The Cache: a struct of inline tensor types (C# 12), or a class of arrays (C# 9).</summary>
internal static partial class NetworkEmitter
{
    private static void WriteCache(SourceWriter w, NetworkPlan plan)
    {
        if (plan.Language == OutputLanguage.CSharp9)
        {
            WriteCacheOfArrays(w, plan);
            return;
        }

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

    /// <summary>
    /// The Cache in C# 9, which has no inline arrays: a class whose fields are arrays allocated
    /// with it, so a caller allocates once and reuses it, and the fields still convert to spans.
    /// </summary>
    private static void WriteCacheOfArrays(SourceWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>");
        w.Line("/// Every tensor one <see cref=\"Forward(global::System.ReadOnlySpan{float}, global::System.Span{float}, ref Cache)\"/> call computes,");
        w.Line("/// one field per layer output (an activation shorthand's input and output both), in order.");
        w.Line("/// Each field is an array of its floats, which converts to a <see cref=\"global::System.Span{T}\"/>. The");
        w.Line($"/// arrays are allocated with the Cache ({Literals.Int(plan.Tensors.Sum(t => (long)t.Size) * 4)} bytes of floats): create one and reuse it.");
        w.Line("/// </summary>");
        using (w.Block("public sealed class Cache"))
        {
            for (int i = 0; i < plan.Tensors.Count; i++)
            {
                var t = plan.Tensors[i];
                if (i > 0)
                {
                    w.Line();
                }

                w.Line($"/// <summary>{Literals.Xml(t.Summary)} {Count(t.Size, "float")}.</summary>");
                w.Line($"public readonly float[] {Literals.Identifier(t.Name)} = new float[{Literals.Int(t.Size)}];");
            }
        }

        w.Line();
    }

    private static void WriteTensorTypes(SourceWriter w, NetworkPlan plan)
    {
        if (plan.Language == OutputLanguage.CSharp9)
        {
            return;
        }

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
