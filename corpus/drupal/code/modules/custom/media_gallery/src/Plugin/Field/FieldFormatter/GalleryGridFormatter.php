<?php

declare(strict_types=1);

namespace Drupal\media_gallery\Plugin\Field\FieldFormatter;

use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Field\Attribute\FieldFormatter;
use Drupal\Core\Field\FieldDefinitionInterface;
use Drupal\Core\Field\FieldItemListInterface;
use Drupal\Core\Field\Plugin\Field\FieldFormatter\EntityReferenceFormatterBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\media_gallery\GalleryBuilder;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Displays referenced image media as a gallery grid with a lightbox link.
 */
#[FieldFormatter(
  id: 'media_gallery_grid',
  label: new TranslatableMarkup('Gallery grid'),
  field_types: ['entity_reference'],
)]
class GalleryGridFormatter extends EntityReferenceFormatterBase {

  public function __construct(
    $plugin_id,
    $plugin_definition,
    FieldDefinitionInterface $field_definition,
    array $settings,
    $label,
    $view_mode,
    array $third_party_settings,
    protected readonly GalleryBuilder $galleryBuilder,
    protected readonly EntityTypeManagerInterface $entityTypeManager,
  ) {
    parent::__construct($plugin_id, $plugin_definition, $field_definition, $settings, $label, $view_mode, $third_party_settings);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static(
      $plugin_id,
      $plugin_definition,
      $configuration['field_definition'],
      $configuration['settings'],
      $configuration['label'],
      $configuration['view_mode'],
      $configuration['third_party_settings'],
      $container->get('media_gallery.builder'),
      $container->get('entity_type.manager'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public static function defaultSettings(): array {
    return ['image_style' => 'medium', 'columns' => 3] + parent::defaultSettings();
  }

  /**
   * {@inheritdoc}
   */
  public function settingsForm(array $form, FormStateInterface $form_state): array {
    $styles = array_map(static fn ($style) => $style->label(), $this->entityTypeManager->getStorage('image_style')->loadMultiple());
    $form['image_style'] = [
      '#type' => 'select',
      '#title' => $this->t('Thumbnail image style'),
      '#options' => $styles,
      '#default_value' => $this->getSetting('image_style'),
    ];
    $form['columns'] = [
      '#type' => 'number',
      '#title' => $this->t('Columns'),
      '#min' => 1,
      '#max' => 6,
      '#default_value' => $this->getSetting('columns'),
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function settingsSummary(): array {
    $args = ['@count' => $this->getSetting('columns'), '@style' => $this->getSetting('image_style')];
    return [$this->t('@count columns of @style thumbnails', $args)];
  }

  /**
   * {@inheritdoc}
   */
  public function viewElements(FieldItemListInterface $items, $langcode): array {
    $media = $this->getEntitiesToView($items, $langcode);
    if (!$media) {
      return [];
    }
    return [[
      '#type' => 'component',
      '#component' => 'media_gallery:gallery-grid',
      '#props' => [
        'columns' => (int) $this->getSetting('columns'),
        'items' => $this->galleryBuilder->buildItems($media, $this->getSetting('image_style')),
      ],
      '#cache' => ['tags' => array_map(static fn ($entity) => 'media:' . $entity->id(), array_values($media))],
    ]];
  }

  /**
   * {@inheritdoc}
   */
  public static function isApplicable(FieldDefinitionInterface $field_definition): bool {
    return $field_definition->getFieldStorageDefinition()->getSetting('target_type') === 'media';
  }

}
