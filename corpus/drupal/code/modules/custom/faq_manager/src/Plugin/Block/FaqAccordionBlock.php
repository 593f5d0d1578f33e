<?php

declare(strict_types=1);

namespace Drupal\faq_manager\Plugin\Block;

use Drupal\Core\Block\Attribute\Block;
use Drupal\Core\Block\BlockBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\faq_manager\FaqRepository;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Lists the questions of one FAQ category as expandable items.
 *
 * Place it next to related content, for example the shipping questions on
 * the checkout help page.
 */
#[Block(
  id: 'faq_manager_accordion',
  admin_label: new TranslatableMarkup('FAQ accordion'),
  category: new TranslatableMarkup('FAQ'),
)]
class FaqAccordionBlock extends BlockBase implements ContainerFactoryPluginInterface {

  /**
   * Constructs a new FaqAccordionBlock object.
   */
  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly FaqRepository $faqRepository,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static(
      $configuration,
      $plugin_id,
      $plugin_definition,
      $container->get('faq_manager.repository'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function defaultConfiguration(): array {
    return ['category' => NULL, 'items' => 5] + parent::defaultConfiguration();
  }

  /**
   * {@inheritdoc}
   */
  public function blockForm($form, FormStateInterface $form_state): array {
    $options = [];
    foreach ($this->faqRepository->loadCategories() as $term) {
      $options[$term->id()] = $term->label();
    }
    $form['category'] = [
      '#type' => 'select',
      '#title' => $this->t('Category'),
      '#options' => $options,
      '#empty_option' => $this->t('- All categories -'),
      '#default_value' => $this->configuration['category'],
    ];
    $form['items'] = [
      '#type' => 'number',
      '#title' => $this->t('Number of questions'),
      '#min' => 1,
      '#max' => 25,
      '#default_value' => $this->configuration['items'],
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function blockSubmit($form, FormStateInterface $form_state): void {
    $category = $form_state->getValue('category');
    $this->configuration['category'] = $category === '' ? NULL : (int) $category;
    $this->configuration['items'] = (int) $form_state->getValue('items');
  }

  /**
   * {@inheritdoc}
   */
  public function build(): array {
    $build = ['#cache' => ['tags' => ['node_list:faq']]];
    $entries = $this->faqRepository->loadEntries($this->configuration['category'], (int) $this->configuration['items']);
    foreach ($entries as $nid => $entry) {
      $build[$nid] = [
        '#type' => 'component',
        '#component' => 'faq_manager:faq-item',
        '#props' => [
          'question' => $entry->label(),
          'anchor' => 'faq-' . $nid,
        ],
        '#slots' => [
          'answer' => $entry->get('body')->view(['label' => 'hidden']),
        ],
      ];
    }
    return $build;
  }

}
