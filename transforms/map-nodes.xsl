<?xml version="1.0" encoding="UTF-8"?>
<!--
  map-nodes: renames cluster nodes by a map where constraints and fencing name them: location
  constraints (rsc_location node=), rule expressions on #uname, fencing levels (target=), and the
  node lists of fence devices (pcmk_host_list, pcmk_host_map).

  Parameters:
    node_map       "nodeA1=nodeB1,nodeA2=nodeB2"
    node_map_file  an XML map file <map><entry from="nodeA1" to="nodeB1"/>…</map>

  Names match whole names only: node1 is not inside node10 or node1.example.com. The <nodes>
  section is left alone: it describes the cluster the configuration is applied to, which cibsync
  keeps from the local CIB.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:include href="lib/map.xsl"/>
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:param name="node_map" select="''"/>
  <xsl:param name="node_map_file" select="''"/>

  <xsl:variable name="map">
    <xsl:call-template name="map-build">
      <xsl:with-param name="pairs" select="$node_map"/>
      <xsl:with-param name="file" select="$node_map_file"/>
      <xsl:with-param name="kind" select="'name'"/>
      <xsl:with-param name="what" select="'node_map'"/>
    </xsl:call-template>
  </xsl:variable>

  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>

  <!-- Matched by attribute name alone, and decided inside (see rewrite-ip.xsl). -->
  <xsl:template match="@node | @target | @value">
    <xsl:choose>
      <xsl:when test="(name() = 'node' and parent::rsc_location)
                      or (name() = 'target' and parent::fencing-level)
                      or (name() = 'value' and ../@attribute = '#uname' and parent::expression)
                      or (name() = 'value' and (../@name = 'pcmk_host_list' or ../@name = 'pcmk_host_map') and parent::nvpair)">
        <xsl:attribute name="{name()}">
          <xsl:call-template name="map-replace-tokens">
            <xsl:with-param name="text" select="string(.)"/>
            <xsl:with-param name="map" select="string($map)"/>
            <xsl:with-param name="kind" select="'name'"/>
          </xsl:call-template>
        </xsl:attribute>
      </xsl:when>
      <xsl:otherwise><xsl:copy/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
