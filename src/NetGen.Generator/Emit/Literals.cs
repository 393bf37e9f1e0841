using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace NetGen.Generator.Emit;

/// <summary>C# spellings of values: culture-invariant, round-trip exact, safe in comments.</summary>
internal static class Literals
{
    /// <summary>The shortest C# float literal that reads back as exactly <paramref name="value"/>.</summary>
    public static string Float(float value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);

        // "R" is not round-trip on every runtime the compiler may run on; nine digits always are.
        if (float.Parse(text, CultureInfo.InvariantCulture) != value || (value == 0 && (text[0] == '-') != (1f / value < 0)))
        {
            text = value.ToString("G9", CultureInfo.InvariantCulture);
        }

        return text + "f";
    }

    /// <summary>A C# double literal that reads back as exactly <paramref name="value"/>.</summary>
    public static string Double(double value) => value.ToString("R", CultureInfo.InvariantCulture) + "d";

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>An identifier for a validated name, escaped with '@' when it is a keyword.</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>
    /// Text safe inside a comment: every line break (including U+2028, U+2029, U+0085) and
    /// control character becomes a visible escape, so text cannot end the comment.
    /// </summary>
    public static string Comment(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            builder.Append(char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085' ? $"\\u{(int)c:X4}" : c.ToString());
        }

        return builder.ToString();
    }

    /// <summary>Text safe inside an XML doc comment line.</summary>
    public static string Xml(string text) =>
        Comment(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
