<?xml version="1.0" encoding="UTF-8"?>
<!--
  set-nvpairs: sets site-specific name/value pairs in existing attribute sets (cluster_property_set,
  instance_attributes, meta_attributes, utilization), replacing the value when the name is there and
  adding <nvpair id="SET-NAME"> when it is not.

  Parameters:
    nvpair_map       "SET_ID/NAME=VALUE,…", e.g.
                     "cib-bootstrap-options/no-quorum-policy=stop,web-ip-instance_attributes/nic=eth1"
    nvpair_map_file  an XML map file <map><entry from="SET_ID/NAME" to="VALUE"/>…</map>
                     (use the file for values that contain a comma)

  A SET_ID that names no attribute set of the configuration stops the transform with an error, so a
  typo cannot pass as "nothing to change".
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:include href="lib/map.xsl"/>
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:param name="nvpair_map" select="''"/>
  <xsl:param name="nvpair_map_file" select="''"/>

  <xsl:variable name="map">
    <xsl:call-template name="map-build">
      <xsl:with-param name="pairs" select="$nvpair_map"/>
      <xsl:with-param name="file" select="$nvpair_map_file"/>
      <xsl:with-param name="kind" select="'exact'"/>
      <xsl:with-param name="what" select="'nvpair_map'"/>
    </xsl:call-template>
  </xsl:variable>
  <xsl:variable name="nl" select="'&#10;'"/>

  <xsl:template match="/">
    <xsl:call-template name="check-sets">
      <xsl:with-param name="entries" select="substring-after($map, $nl)"/>
    </xsl:call-template>
    <xsl:apply-templates/>
  </xsl:template>

  <xsl:template name="check-sets">
    <xsl:param name="entries"/>
    <xsl:if test="contains($entries, '=')">
      <xsl:variable name="key" select="substring-before($entries, '=')"/>
      <xsl:variable name="set" select="substring-before($key, '/')"/>
      <xsl:if test="not(contains($key, '/')) or not(//*[@id = $set][self::cluster_property_set or self::instance_attributes or self::meta_attributes or self::utilization])">
        <xsl:message terminate="yes">cibsync: nvpair_map entry '<xsl:value-of select="$key"/>': no attribute set with id '<xsl:value-of select="$set"/>' (expected SET_ID/NAME=VALUE)</xsl:message>
      </xsl:if>
      <xsl:call-template name="check-sets">
        <xsl:with-param name="entries" select="substring-after($entries, $nl)"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>

  <!-- Matched by attribute name alone, and decided inside (see rewrite-ip.xsl). -->
  <xsl:template match="@value">
    <xsl:variable name="key" select="concat($nl, ../../@id, '/', ../@name, '=')"/>
    <xsl:choose>
      <xsl:when test="parent::nvpair and contains($map, $key)">
        <xsl:attribute name="value"><xsl:value-of select="substring-before(substring-after($map, $key), $nl)"/></xsl:attribute>
      </xsl:when>
      <xsl:otherwise><xsl:copy/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="cluster_property_set | instance_attributes | meta_attributes | utilization">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
      <xsl:call-template name="add-missing">
        <xsl:with-param name="entries" select="substring-after($map, $nl)"/>
      </xsl:call-template>
    </xsl:copy>
  </xsl:template>

  <!-- Appends, to the set in context, the map's entries for it that name no existing nvpair. -->
  <xsl:template name="add-missing">
    <xsl:param name="entries"/>
    <xsl:if test="contains($entries, '=')">
      <xsl:variable name="entry" select="substring-before($entries, $nl)"/>
      <xsl:variable name="key" select="substring-before($entry, '=')"/>
      <xsl:variable name="name" select="substring-after($key, '/')"/>
      <xsl:if test="substring-before($key, '/') = @id and not(nvpair[@name = $name])">
        <nvpair id="{@id}-{$name}" name="{$name}" value="{substring-after($entry, '=')}"/>
      </xsl:if>
      <xsl:call-template name="add-missing">
        <xsl:with-param name="entries" select="substring-after($entries, $nl)"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
