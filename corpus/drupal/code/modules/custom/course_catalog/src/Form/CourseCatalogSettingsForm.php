<?php

declare(strict_types=1);

namespace Drupal\course_catalog\Form;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Config\TypedConfigManagerInterface;
use Drupal\Core\Entity\EntityStorageInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Form\ConfigFormBase;
use Drupal\Core\Form\FormStateInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Enrollment rules and paging of the course catalog.
 */
class CourseCatalogSettingsForm extends ConfigFormBase {

  /**
   * The taxonomy vocabulary storage.
   */
  protected EntityStorageInterface $vocabularyStorage;

  public function __construct(
    ConfigFactoryInterface $config_factory,
    TypedConfigManagerInterface $typed_config_manager,
    EntityTypeManagerInterface $entity_type_manager,
  ) {
    parent::__construct($config_factory, $typed_config_manager);
    $this->vocabularyStorage = $entity_type_manager->getStorage('taxonomy_vocabulary');
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('config.factory'),
      $container->get('config.typed'),
      $container->get('entity_type.manager'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'course_catalog_settings';
  }

  /**
   * {@inheritdoc}
   */
  protected function getEditableConfigNames(): array {
    return ['course_catalog.settings'];
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $vocabularies = [];
    foreach ($this->vocabularyStorage->loadMultiple() as $id => $vocabulary) {
      $vocabularies[$id] = $vocabulary->label();
    }

    $form['category_vocabulary'] = [
      '#type' => 'select',
      '#title' => $this->t('Course categories come from'),
      '#options' => $vocabularies,
      '#config_target' => 'course_catalog.settings:category_vocabulary',
    ];
    $form['closing_hours'] = [
      '#type' => 'number',
      '#title' => $this->t('Close enrollment before the start'),
      '#field_suffix' => $this->t('hours'),
      '#min' => 0,
      '#max' => 720,
      '#config_target' => 'course_catalog.settings:closing_hours',
    ];
    $form['page_size'] = [
      '#type' => 'number',
      '#title' => $this->t('Courses per catalog page'),
      '#min' => 3,
      '#max' => 60,
      '#config_target' => 'course_catalog.settings:page_size',
    ];
    $form['show_full_courses'] = [
      '#type' => 'checkbox',
      '#title' => $this->t('Keep full courses in the catalog'),
      '#description' => $this->t('Full courses are shown with a "Full" badge instead of being hidden.'),
      '#config_target' => 'course_catalog.settings:show_full_courses',
    ];
    return parent::buildForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    if ($this->vocabularyStorage->load($form_state->getValue('category_vocabulary')) === NULL) {
      $form_state->setErrorByName('category_vocabulary', $this->t('Choose an existing vocabulary.'));
    }
    parent::validateForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    parent::submitForm($form, $form_state);
    $this->messenger()->addStatus($this->t('Enrollment now closes @hours hours before a course starts.', [
      '@hours' => $form_state->getValue('closing_hours'),
    ]));
  }

}
