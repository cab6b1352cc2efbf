using System.Collections;
using System.Reflection;

namespace McpZero.UnitTests.Protocol;

/// <summary>Reflection checks over the public settable properties of message objects.</summary>
internal static class ObjectComparer
{
    /// <summary>Asserts that two object graphs contain equal values, naming the first property that differs.</summary>
    public static void AssertDeepEqual(object? expected, object? actual, string path)
    {
        if (expected is null)
        {
            Assert.True(actual is null, $"{path}: expected null, got {Describe(actual)}");
            return;
        }

        if (actual is null)
        {
            Assert.Fail($"{path}: expected {Describe(expected)}, got null");
            return;
        }

        Assert.True(expected.GetType() == actual.GetType(), $"{path}: expected type {expected.GetType().Name}, got {actual.GetType().Name}");

        if (IsScalar(expected.GetType()))
        {
            Assert.True(Equals(expected, actual), $"{path}: expected {Describe(expected)}, got {Describe(actual)}");
            return;
        }

        if (expected is IDictionary expectedDictionary)
        {
            var actualDictionary = (IDictionary)actual;
            Assert.True(expectedDictionary.Count == actualDictionary.Count, $"{path}: expected {expectedDictionary.Count} entries, got {actualDictionary.Count}");
            foreach (DictionaryEntry entry in expectedDictionary)
            {
                Assert.True(actualDictionary.Contains(entry.Key), $"{path}: key '{entry.Key}' is missing");
                AssertDeepEqual(entry.Value, actualDictionary[entry.Key], $"{path}[{entry.Key}]");
            }

            return;
        }

        if (expected is IList expectedList)
        {
            var actualList = (IList)actual;
            Assert.True(expectedList.Count == actualList.Count, $"{path}: expected {expectedList.Count} items, got {actualList.Count}");
            for (int i = 0; i < expectedList.Count; i++)
            {
                AssertDeepEqual(expectedList[i], actualList[i], $"{path}[{i}]");
            }

            return;
        }

        foreach (PropertyInfo property in SettableProperties(expected.GetType()))
        {
            AssertDeepEqual(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
        }
    }

    /// <summary>Asserts that every settable property in the graph has a value other than its default.</summary>
    public static void AssertNoDefaults(object value, string path)
    {
        foreach (PropertyInfo property in SettableProperties(value.GetType()))
        {
            object? member = property.GetValue(value);
            string memberPath = $"{path}.{property.Name}";
            Assert.True(member is not null, $"{memberPath} is null");

            Type type = member.GetType();
            if (IsScalar(type))
            {
                object? defaultValue = type.IsValueType ? Activator.CreateInstance(type) : "";
                Assert.False(Equals(member, defaultValue), $"{memberPath} has its default value {Describe(member)}");
            }
            else if (member is ICollection collection)
            {
                Assert.True(collection.Count > 0, $"{memberPath} is empty");
                foreach (object? item in collection)
                {
                    if (item is not null && !IsScalar(item.GetType()) && item is not DictionaryEntry)
                    {
                        AssertNoDefaults(item, memberPath + "[]");
                    }
                }
            }
            else
            {
                AssertNoDefaults(member, memberPath);
            }
        }
    }

    private static IEnumerable<PropertyInfo> SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.CanWrite);

    private static bool IsScalar(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal);

    private static string Describe(object? value) => value is null ? "null" : $"'{value}'";
}
