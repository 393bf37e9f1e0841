using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;

namespace NetGen.Generator.Reading;

/// <summary>Reads a class carrying [Network] into a <see cref="NetworkTarget"/>; the only reader that sees Roslyn symbols.</summary>
internal static class TargetReader
{
    public const string AttributeName = "NetGen.NetworkAttribute";

    public static TargetResult Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (ClassDeclarationSyntax)context.TargetNode;
        AttributeData attribute = context.Attributes[0];
        cancellationToken.ThrowIfCancellationRequested();

        if (!IsStaticPartial(symbol, out string found))
        {
            diagnostics.Add(Info(DiagnosticDescriptors.NotStaticPartialClass, syntax.Identifier.GetLocation(), symbol.Name, found));
        }

        Location pathLocation = ArgumentLocation(attribute, cancellationToken) ?? syntax.Identifier.GetLocation();
        string? path = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
        if (string.IsNullOrWhiteSpace(path))
        {
            diagnostics.Add(Info(DiagnosticDescriptors.InvalidNetworkPath, pathLocation, path is null ? "null" : "\"" + path + "\""));
        }

        if (diagnostics.Count > 0)
        {
            return new TargetResult(null, diagnostics.ToEquatableArray());
        }

        string? ns = symbol.ContainingNamespace.IsGlobalNamespace ? null : symbol.ContainingNamespace.ToDisplayString();
        var containing = new List<string>();
        for (INamedTypeSymbol? type = symbol.ContainingType; type is not null; type = type.ContainingType)
        {
            containing.Insert(0, "partial " + Keyword(type) + " " + NameWithTypeParameters(type));
        }

        string hint = string.Concat(symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty)
            .Select(c => char.IsLetterOrDigit(c) || c is '.' or '_' ? c : '_')) + ".g.cs";

        var target = new NetworkTarget(ns, containing.ToEquatableArray(), NameWithTypeParameters(symbol), hint, path!, ToCodeLocation(pathLocation));
        return new TargetResult(target, EquatableArray<DiagnosticInfo>.Empty);
    }

    private static bool IsStaticPartial(INamedTypeSymbol symbol, out string found)
    {
        var problems = new List<string>();
        if (!symbol.IsStatic)
        {
            problems.Add("a class that is not static");
        }

        for (INamedTypeSymbol? type = symbol; type is not null; type = type.ContainingType)
        {
            bool partial = type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!partial)
            {
                problems.Add(SymbolEqualityComparer.Default.Equals(type, symbol) ? "a class that is not partial" : $"the containing type '{type.Name}', which is not partial");
            }
        }

        found = string.Join(" and ", problems);
        return problems.Count == 0;
    }

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static string NameWithTypeParameters(INamedTypeSymbol type) =>
        type.TypeParameters.Length == 0 ? type.Name : type.Name + "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";

    private static Location? ArgumentLocation(AttributeData attribute, CancellationToken cancellationToken) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList.Arguments: { Count: > 0 } arguments }
            ? arguments[0].GetLocation()
            : attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();

    private static DiagnosticInfo Info(DiagnosticDescriptor descriptor, Location location, params string[] arguments)
    {
        var code = ToCodeLocation(location);
        return DiagnosticInfo.Create(descriptor.Id, code.FilePath, code.Range, arguments);
    }

    private static CodeLocation ToCodeLocation(Location location)
    {
        FileLinePositionSpan lines = location.GetLineSpan();
        return new CodeLocation(
            lines.Path ?? string.Empty,
            new SourceRange(location.SourceSpan.Start, location.SourceSpan.Length, lines.StartLinePosition.Line, lines.StartLinePosition.Character, lines.EndLinePosition.Line, lines.EndLinePosition.Character));
    }
}
