<?php

namespace Drupal\Core\Validation\Annotation;

use Drupal\Component\Annotation\Plugin;

/**
 * Defines a validation constraint annotation object.
 *
 * Plugin namespace: Plugin\Constraint. The Constraint attribute is the preferred way
 * to declare these plugins; this annotation is read for code not yet
 * converted.
 *
 * @Annotation
 */
class Constraint extends Plugin {

  /**
   * The plugin ID.
   *
   * @var string
   */
  public $id;

  /**
   * The human-readable name of the plugin.
   *
   * @var \Drupal\Core\Annotation\Translation
   *
   * @ingroup plugin_translatable
   */
  public $label = '';

}
