using System.IO;
using System.Linq;
using Mono.Cecil;

namespace NetGen.Tests.Packages;

/// <summary>
/// Takes <c>modreq(InAttribute)</c> off the return types of an assembly's references to
/// framework methods (<c>ReadOnlySpan&lt;T&gt;</c>'s indexer and the like), which Debian's Mono 6.8
/// declares without it, so that its method lookup finds them (see <see cref="UnityTests"/>).
/// The assembly's own methods and everything else are left as they are.
/// </summary>
internal static class MonoSignatures
{
    /// <summary>Rewrites the assembly in place; returns how many references changed.</summary>
    public static int Patch(string path)
    {
        int changed = 0;
        byte[] image = File.ReadAllBytes(path);
        using (var module = ModuleDefinition.ReadModule(new MemoryStream(image)))
        {
            // The references the writer emits are the instructions' operands.
            var calls = module.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody)
                .SelectMany(m => m.Body.Instructions).Select(i => i.Operand).OfType<MethodReference>()
                .Where(m => m is not MethodDefinition);
            foreach (var method in calls)
            {
                if (method.ReturnType is RequiredModifierType { ModifierType.FullName: "System.Runtime.InteropServices.InAttribute" } modified
                    && method.DeclaringType.Scope.Name is "netstandard" or "mscorlib")
                {
                    method.ReturnType = modified.ElementType;
                    changed++;
                }
            }

            module.Write(path);
        }

        return changed;
    }
}
